package io.bmpipeline.netbox;

/**
 * NetBox renders journal comments as Markdown. Text that came off the wire (a DHCP hostname, a vendor class) is
 * escaped before it goes in, so it reads as the characters it is and never as a link, an image or emphasis.
 */
public final class Markdown {

    /** What means something in the middle of a line (the text never starts one): hostnames keep their '-' and '.'. */
    private static final String SPECIAL = "\\`*_[]|~";

    private Markdown() {}

    public static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                default -> {
                    if (SPECIAL.indexOf(c) >= 0) {
                        out.append('\\');
                    }
                    out.append(c);
                }
            }
        }
        return out.toString();
    }
}
