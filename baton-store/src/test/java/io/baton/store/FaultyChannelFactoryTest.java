package io.baton.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.store.FaultyChannelFactory.Loss;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The disk model the power-loss cases rely on does what it claims. */
class FaultyChannelFactoryTest {

    @TempDir
    Path dir;

    private static final Set<java.nio.file.StandardOpenOption> CREATE = EnumSet.of(java.nio.file.StandardOpenOption.CREATE_NEW,
        java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE);

    private static byte[] bytes(int n, int value) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) value);
        return b;
    }

    private Path fileWithSyncedAndUnsyncedBytes(FaultyChannelFactory disk) throws IOException {
        Path file = dir.resolve("f");
        try (FileChannel channel = disk.open(file, CREATE)) {
            channel.write(ByteBuffer.wrap(bytes(100, 1)), 0);
            channel.force(false);
            disk.open(dir, SegmentFiles.READ_ONLY).force(true);
            channel.write(ByteBuffer.wrap(bytes(100, 2)), 100);
        }
        return file;
    }

    @Test
    void powerLoss_dropsWhatWasNotForced_andKeepsWhatWas() throws IOException {
        FaultyChannelFactory disk = new FaultyChannelFactory(1);
        Path file = fileWithSyncedAndUnsyncedBytes(disk);
        assertThat(Files.size(file)).isEqualTo(200);
        disk.powerLoss(Loss.DROP_UNSYNCED);
        assertThat(Files.readAllBytes(file)).isEqualTo(bytes(100, 1));
    }

    @Test
    void tear_keepsARandomPrefixOfTheUnsyncedBytes() throws IOException {
        for (long seed = 0; seed < 20; seed++) {
            FaultyChannelFactory disk = new FaultyChannelFactory(seed);
            Path file = fileWithSyncedAndUnsyncedBytes(disk);
            disk.powerLoss(Loss.TEAR);
            byte[] left = Files.readAllBytes(file);
            assertThat(left.length).isBetween(100, 200);
            assertThat(Arrays.copyOf(left, 100)).isEqualTo(bytes(100, 1));
            assertThat(Arrays.copyOfRange(left, 100, left.length)).isEqualTo(bytes(left.length - 100, 2));
            Files.delete(file);
        }
    }

    @Test
    void tearZeros_keepsLengthButNotData() throws IOException {
        for (long seed = 0; seed < 20; seed++) {
            FaultyChannelFactory disk = new FaultyChannelFactory(seed);
            Path file = fileWithSyncedAndUnsyncedBytes(disk);
            disk.powerLoss(Loss.TEAR_ZEROS);
            byte[] left = Files.readAllBytes(file);
            assertThat(Arrays.copyOfRange(left, 100, left.length)).isEqualTo(bytes(left.length - 100, 0));
            Files.delete(file);
        }
    }

    @Test
    void aFileNeverSyncedInItsDirectory_mayVanish_andOldChannelsDie() throws IOException {
        int vanished = 0;
        for (long seed = 0; seed < 20; seed++) {
            FaultyChannelFactory disk = new FaultyChannelFactory(seed);
            Path file = dir.resolve("new-" + seed);
            FileChannel channel = disk.open(file, CREATE);
            channel.write(ByteBuffer.wrap(bytes(10, 1)), 0);
            channel.force(false);
            disk.powerLoss(Loss.DROP_UNSYNCED);
            if (!Files.exists(file)) vanished++;
            assertThatThrownBy(() -> channel.write(ByteBuffer.wrap(bytes(1, 1)), 0)).isInstanceOf(IOException.class);
            channel.close();
        }
        assertThat(vanished).isBetween(1, 19);
    }

    @Test
    void processCrash_keepsThePageCache() throws IOException {
        FaultyChannelFactory disk = new FaultyChannelFactory(1);
        Path file = fileWithSyncedAndUnsyncedBytes(disk);
        disk.processCrash();
        disk.reboot();
        disk.powerLoss(Loss.DROP_UNSYNCED);
        assertThat(Files.size(file)).isEqualTo(200);
    }

    @Test
    void diskFull_writesAPartOfTheBytesThenFails() throws IOException {
        FaultyChannelFactory disk = new FaultyChannelFactory(1);
        Path file = dir.resolve("f");
        try (FileChannel channel = disk.open(file, CREATE)) {
            disk.diskFullOnWrite(true);
            assertThatThrownBy(() -> channel.write(ByteBuffer.wrap(bytes(100, 1)), 0)).hasMessage("No space left on device");
            assertThat(Files.size(file)).isLessThanOrEqualTo(100);
            disk.diskFullOnWrite(false);
            disk.diskFullOnForce(true);
            assertThatThrownBy(() -> channel.force(false)).hasMessage("No space left on device");
        }
    }

    @Test
    void crashAtOp_happensAtExactlyThatOperation() throws IOException {
        FaultyChannelFactory disk = new FaultyChannelFactory(1);
        Path file = dir.resolve("f");
        try (FileChannel channel = disk.open(file, CREATE)) {
            disk.crashAtOp(3, Loss.DROP_UNSYNCED);
            channel.write(ByteBuffer.wrap(bytes(10, 1)), 0);   // op 1
            channel.force(false);                                // op 2
            assertThatThrownBy(() -> channel.write(ByteBuffer.wrap(bytes(10, 2)), 10)).hasMessageContaining("power loss during write");
            assertThat(disk.crashed()).isTrue();
        }
    }
}
