package io.bmpipeline.manifest;

import io.bmpipeline.address.MacAddress;

/** One data row of a manifest: the server's serial and its BMC's MAC, and where it stood in the file. */
public record ManifestRow(long line, String serial, MacAddress mac) {}
