package io.bmpipeline.manifest;

/** The file as a whole is unusable (no header, a missing column, not UTF-8): nothing of it is loaded. */
public class ManifestFileException extends Exception {
    public ManifestFileException(String file, String message) {
        super(file + ": " + message);
    }
}
