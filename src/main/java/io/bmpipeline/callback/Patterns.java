package io.bmpipeline.callback;

/** The text patterns of the callback API, shared by its schema and its path checks. */
final class Patterns {

    /** A run id: what the image makes up per boot (a UUID, a timestamp). */
    static final String RUN_ID = "^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$";
    /** A step name: the four built-in ones and an operator's own. */
    static final String STEP = "^[a-z][a-z0-9-]{0,31}$";
    /** A MAC, colon- or dash-separated. */
    static final String MAC = "^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$";

    private Patterns() {}
}
