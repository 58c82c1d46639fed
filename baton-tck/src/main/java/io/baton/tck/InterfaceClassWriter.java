package io.baton.tck;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the class file of a public interface with only abstract methods, and loads it in a class
 * loader of its own. It lets {@link RpcTck} run two versions of one interface (same fully
 * qualified name, different methods) in one JVM, as a client and a server of different releases
 * would, without a build step or a bytecode library.
 */
final class InterfaceClassWriter {
    private static final int JAVA_21 = 65;
    private static final int ACC_PUBLIC = 0x0001;
    private static final int ACC_INTERFACE = 0x0200;
    private static final int ACC_ABSTRACT = 0x0400;
    private static final int CONSTANT_UTF8 = 1;
    private static final int CONSTANT_CLASS = 7;

    private InterfaceClassWriter() {}

    /**
     * Defines interface {@code binaryName} with {@code methods} (name to JVM descriptor, for example
     * {@code "()I"}) in a new class loader whose parent is {@code parent}.
     */
    static Class<?> define(String binaryName, Map<String, String> methods, ClassLoader parent) {
        byte[] bytes = write(binaryName.replace('.', '/'), methods);
        return new SingleClassLoader(binaryName, bytes, parent).load();
    }

    static byte[] write(String internalName, Map<String, String> methods) {
        try {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(buffer);
            out.writeInt(0xCAFEBABE);
            out.writeShort(0);
            out.writeShort(JAVA_21);
            // Constant pool: #1 this name, #2 this class, #3 Object name, #4 Object class,
            // then a name and a descriptor per method.
            Map<String, String> ordered = new LinkedHashMap<>(methods);
            out.writeShort(5 + 2 * ordered.size());
            utf8(out, internalName);
            classRef(out, 1);
            utf8(out, "java/lang/Object");
            classRef(out, 3);
            for (Map.Entry<String, String> method : ordered.entrySet()) {
                utf8(out, method.getKey());
                utf8(out, method.getValue());
            }
            out.writeShort(ACC_PUBLIC | ACC_INTERFACE | ACC_ABSTRACT);
            out.writeShort(2);
            out.writeShort(4);
            out.writeShort(0); // interfaces
            out.writeShort(0); // fields
            out.writeShort(ordered.size());
            int index = 5;
            for (int i = 0; i < ordered.size(); i++) {
                out.writeShort(ACC_PUBLIC | ACC_ABSTRACT);
                out.writeShort(index);
                out.writeShort(index + 1);
                out.writeShort(0); // attributes
                index += 2;
            }
            out.writeShort(0); // class attributes
            out.flush();
            return buffer.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void utf8(DataOutputStream out, String value) throws IOException {
        out.writeByte(CONSTANT_UTF8);
        out.writeUTF(value);
    }

    private static void classRef(DataOutputStream out, int nameIndex) throws IOException {
        out.writeByte(CONSTANT_CLASS);
        out.writeShort(nameIndex);
    }

    /** Defines one class itself, even if the parent has a class of that name; delegates the rest. */
    private static final class SingleClassLoader extends ClassLoader {
        private final String name;
        private final byte[] bytes;

        SingleClassLoader(String name, byte[] bytes, ClassLoader parent) {
            super(parent);
            this.name = name;
            this.bytes = bytes;
        }

        Class<?> load() {
            try {
                return loadClass(name);
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        protected Class<?> loadClass(String className, boolean resolve) throws ClassNotFoundException {
            if (!className.equals(name)) {
                return super.loadClass(className, resolve);
            }
            synchronized (getClassLoadingLock(className)) {
                Class<?> loaded = findLoadedClass(className);
                return loaded != null ? loaded : defineClass(className, bytes, 0, bytes.length);
            }
        }
    }
}
