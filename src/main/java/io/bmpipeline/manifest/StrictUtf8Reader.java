package io.bmpipeline.manifest;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * UTF-8 text for the CSV parser, decoded strictly: a byte-order mark at the start is dropped, and
 * bytes that are not UTF-8 fail the read with their line and byte offset, once every character
 * before them has been handed on. An {@link java.io.InputStreamReader} cannot say where: it throws
 * {@link java.nio.charset.MalformedInputException} as soon as its decoder meets the bytes, dropping
 * the characters it decoded before them in the same read.
 */
final class StrictUtf8Reader extends Reader {

    /** Bytes that are not UTF-8; the message names the line and the byte offset. */
    static final class NotUtf8Exception extends IOException {
        NotUtf8Exception(String message) {
            super(message);
        }
    }

    private final InputStream in;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteBuffer bytes = ByteBuffer.allocate(16 * 1024).flip();
    private long bytesRead;
    private boolean endOfInput;
    private boolean exhausted;
    private boolean atStart = true;
    private long line = 1;
    private char previous;
    private CoderResult failure;
    private long failureOffset;

    /** The stream stays the caller's to close. */
    StrictUtf8Reader(InputStream in) {
        this.in = in;
    }

    /** Whether the end of the input has been handed on: a parser that fails now failed at the end. */
    boolean exhausted() {
        return exhausted;
    }

    @Override
    public int read(char[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        CharBuffer chars = CharBuffer.wrap(buffer, offset, length);
        while (chars.position() == offset) {
            if (failure != null) {
                throw new NotUtf8Exception("line " + line + ": bytes at offset " + failureOffset + " are not UTF-8 ("
                        + (failure.isMalformed() ? "malformed" : "unmappable") + " sequence of " + failure.length()
                        + " byte(s)); save the file as UTF-8");
            }
            CoderResult result = decoder.decode(bytes, chars, endOfInput);
            if (result.isError()) {
                // Thrown at the next read, once the characters before it are handed on and counted.
                failure = result;
                failureOffset = bytesRead - bytes.remaining();
            } else if (result.isUnderflow() && chars.position() == offset) {
                if (endOfInput) {
                    exhausted = true;
                    return -1;
                }
                fill();
            }
            dropByteOrderMark(buffer, offset, chars);
        }
        countLines(buffer, offset, chars.position());
        return chars.position() - offset;
    }

    private void fill() throws IOException {
        bytes.compact();
        int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
        if (n < 0) {
            endOfInput = true;
        } else {
            bytes.position(bytes.position() + n);
            bytesRead += n;
        }
        bytes.flip();
    }

    private void dropByteOrderMark(char[] buffer, int offset, CharBuffer chars) {
        if (atStart && chars.position() > offset) {
            atStart = false;
            if (buffer[offset] == '\uFEFF') {
                System.arraycopy(buffer, offset + 1, buffer, offset, chars.position() - offset - 1);
                chars.position(chars.position() - 1);
            }
        }
    }

    /** CRLF, LF or a lone CR ends a line, as for the parser. */
    private void countLines(char[] buffer, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = buffer[i];
            if (c == '\r' || (c == '\n' && previous != '\r')) {
                line++;
            }
            previous = c;
        }
    }

    /** The stream belongs to the caller, who closes it. */
    @Override
    public void close() {}
}
