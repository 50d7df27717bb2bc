# Sourced by bin/* and .ci/run: selects a Java 25 JDK for the build.
# The machine image ships Temurin 25 beside its default Java 17; Debian's openjdk-25 is the fallback
# where the distribution has it.
bm_select_java() {
  local candidate
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-25-openjdk-amd64; do
    if [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] \
        && "$candidate/bin/java" -version 2>&1 | grep -q 'version "25'; then
      export JAVA_HOME="$candidate"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "bm-pipeline: no Java 25 JDK found; trying Debian's openjdk-25-jdk-headless" >&2
  if apt-get install -y --no-install-recommends openjdk-25-jdk-headless >&2 \
      || { apt-get update >&2 && apt-get install -y --no-install-recommends openjdk-25-jdk-headless >&2; }; then
    export JAVA_HOME=/usr/lib/jvm/java-25-openjdk-amd64
    export PATH="$JAVA_HOME/bin:$PATH"
    return 0
  fi
  echo "bm-pipeline: a Java 25 JDK is required (set JAVA_HOME to one)" >&2
  return 1
}
bm_select_java
