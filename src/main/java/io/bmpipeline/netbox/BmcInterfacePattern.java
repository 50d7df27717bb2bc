package io.bmpipeline.netbox;

import java.util.regex.Pattern;

/** The operator's rule for which interface of a device is its BMC (found anywhere in the name). */
public record BmcInterfacePattern(Pattern pattern) {

    public boolean matches(String interfaceName) {
        return pattern.matcher(interfaceName).find();
    }
}
