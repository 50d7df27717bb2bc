package io.bmpipeline.manifest;

/** What happened to one row. */
public enum ManifestOutcome {
    /** The BMC interface had no MAC; it has the manifest's now (journal: success). */
    SET,
    /** The BMC interface already has this MAC: nothing to do. */
    ALREADY_SET,
    /** The BMC interface has another MAC: left as it is (journal: warning). */
    CONFLICT_SKIPPED,
    /** The row repeats an earlier row exactly: counted once. */
    DUPLICATE_ROW,
    /** The row cannot be loaded: the reason names what is wrong. */
    FAILED;

    public boolean failed() {
        return this == FAILED;
    }
}
