package io.bmpipeline.netbox;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The NetBox release behind the API, as read from {@code /api/status/}. */
public record NetBoxVersion(int major, int minor, int patch) implements Comparable<NetBoxVersion> {

    private static final Pattern LEADING = Pattern.compile("^v?(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    public static NetBoxVersion parse(String text) {
        Matcher m = LEADING.matcher(text == null ? "" : text.strip());
        if (!m.find()) {
            throw new IllegalArgumentException("unrecognised NetBox version '" + text + "'");
        }
        return new NetBoxVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3)));
    }

    public boolean atLeast(int wantMajor, int wantMinor) {
        return major > wantMajor || (major == wantMajor && minor >= wantMinor);
    }

    /** NetBox 4.2 made MAC addresses objects of their own; before it they were an interface field. */
    public MacModel macModel() {
        return atLeast(4, 2) ? MacModel.OBJECTS : MacModel.INTERFACE_FIELD;
    }

    @Override
    public int compareTo(NetBoxVersion o) {
        return major != o.major ? Integer.compare(major, o.major)
                : minor != o.minor ? Integer.compare(minor, o.minor) : Integer.compare(patch, o.patch);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }

    public enum MacModel {
        /** 4.2+: {@code /api/dcim/mac-addresses/} objects, the interface points at its primary one. */
        OBJECTS,
        /** 3.x–4.1: {@code mac_address} is a writable field of the interface. */
        INTERFACE_FIELD
    }
}
