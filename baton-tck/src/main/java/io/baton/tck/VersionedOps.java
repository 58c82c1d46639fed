package io.baton.tck;

/**
 * Fixture of {@link RpcTck}: version 2 of an RPC interface, whose {@link #b()} an older server
 * (version 1, with only {@link #a()}) does not have. The suite builds version 1 at run time, with
 * this same name, in its own class loader.
 */
public interface VersionedOps {
    int a();

    int b();
}
