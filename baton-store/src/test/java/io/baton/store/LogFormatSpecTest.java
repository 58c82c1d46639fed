package io.baton.store;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins the bytes to {@code docs/log-format.md}: the worked example byte for byte, and a second,
 * independent reader written from the document alone, which must read what the log wrote.
 */
class LogFormatSpecTest {

    @TempDir
    Path dir;

    private static final HexFormat HEX = HexFormat.ofDelimiter(" ");

    @Test
    void theWorkedExampleOfTheDocument_isWhatTheWriterProduces() {
        ByteBuffer header = ByteBuffer.allocate(32);
        LogRecordFormat.putSegmentHeader(header, 0, 1_700_000_000_000L);
        assertThat(HEX.formatHex(header.array()))
            .isEqualTo("42 41 54 4f 4e 4c 4f 47 00 01 00 00 00 00 00 00 00 00 00 00 00 00 01 8b cf e5 68 00 5c b3 3d 87");

        byte[] payload = "hi".getBytes(US_ASCII);
        CRC32C crc = new CRC32C();
        crc.update(payload);
        ByteBuffer record = ByteBuffer.allocate(24);
        LogRecordFormat.putRecordHeader(record, 7, 2, 1_700_000_000_123L, (int) crc.getValue());
        record.put(payload);
        assertThat(HEX.formatHex(record.array()))
            .isEqualTo("01 07 00 00 00 02 00 00 01 8b cf e5 68 7b f5 9d d9 c2 d3 59 59 00 68 69");
    }

    @Test
    void crc32c_isCastagnoli_withTheDocumentedCheckValue() {
        CRC32C crc = new CRC32C();
        crc.update("123456789".getBytes(US_ASCII));
        assertThat(crc.getValue()).isEqualTo(0xE3069283L);
    }

    @Test
    void anIndependentReaderWrittenFromTheDocument_readsWhatTheLogWrote() throws IOException {
        Random random = new Random(3);
        List<LogRecord> written;
        try (SegmentedLog log = SegmentedLog.open(dir, LogOptions.defaults().withSegmentBytes(4096))) {
            for (int i = 0; i < 300; i++) {
                byte[] payload = new byte[random.nextInt(random.nextInt(10) == 0 ? 6000 : 200)];
                random.nextBytes(payload);
                log.append(random.nextInt(256), payload);
            }
            log.append(0, new byte[0]).join();
            written = new ArrayList<>();
            log.replay(0, written::add);
            assertThat(log.segments().size()).isGreaterThan(5);
        }
        List<LogRecord> read = SpecReader.read(dir);
        assertThat(read).hasSameSizeAs(written);
        for (int k = 0; k < read.size(); k++) {
            assertThat(read.get(k).position()).isEqualTo(written.get(k).position());
            assertThat(read.get(k).type()).isEqualTo(written.get(k).type());
            assertThat(read.get(k).timestamp()).isEqualTo(written.get(k).timestamp());
            assertThat(read.get(k).payload()).isEqualTo(written.get(k).payload());
        }
    }

    /** Reads a log directory following docs/log-format.md only; strict: any damage is an error. */
    private static final class SpecReader {

        static List<LogRecord> read(Path dir) throws IOException {
            List<Path> segments;
            try (var listing = Files.list(dir)) {
                segments = listing.filter(p -> p.getFileName().toString().matches("[0-9]{20}\\.log")).sorted().toList();
            }
            List<LogRecord> records = new ArrayList<>();
            long expectedBase = -1;
            for (Path segment : segments) {
                ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(segment));  // big-endian by default
                long nameBase = Long.parseLong(segment.getFileName().toString().substring(0, 20));
                byte[] magic = new byte[8];
                file.get(0, magic);
                check(new String(magic, US_ASCII).equals("BATONLOG"), "magic");
                check(file.getShort(8) == 1, "segment format version");
                check(file.getShort(10) == 0, "reserved");
                check(file.getLong(12) == nameBase, "base position = file name");
                check(crc(file, 0, 28) == file.getInt(28), "segment header crc32c");
                check(expectedBase < 0 || nameBase == expectedBase, "contiguous positions");
                int offset = 32;
                while (offset < file.limit()) {
                    check(file.limit() - offset >= 22, "whole record header");
                    check(crc(file, offset, 18) == file.getInt(offset + 18), "header crc32c");
                    check((file.get(offset) & 0xFF) == 1, "record version");
                    int type = file.get(offset + 1) & 0xFF;
                    long length = file.getInt(offset + 2) & 0xFFFF_FFFFL;
                    long timestamp = file.getLong(offset + 6);
                    check(offset + 22 + length <= file.limit(), "whole payload");
                    check(crc(file, offset + 22, (int) length) == file.getInt(offset + 14), "payload crc32c");
                    byte[] payload = new byte[(int) length];
                    file.get(offset + 22, payload);
                    records.add(new LogRecord(nameBase + offset - 32, type, payload, timestamp));
                    offset += 22 + (int) length;
                }
                expectedBase = nameBase + file.limit() - 32;
            }
            return records;
        }

        private static int crc(ByteBuffer file, int from, int length) {
            CRC32C crc = new CRC32C();
            crc.update(file.slice(from, length));
            return (int) crc.getValue();
        }

        private static void check(boolean ok, String what) {
            if (!ok) throw new AssertionError("not as docs/log-format.md says: " + what);
        }
    }
}
