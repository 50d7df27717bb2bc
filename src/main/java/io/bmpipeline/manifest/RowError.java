package io.bmpipeline.manifest;

/** A row that cannot be used, naming the line and field: the rest of the file goes on. */
public record RowError(long line, String field, String message) {
    @Override
    public String toString() {
        return "line " + line + ", " + field + ": " + message;
    }
}
