package io.baton;

/**
 * A function served over RPC. Runs on a virtual thread; blocking is fine.
 * What it returns is the reply (null is allowed); what it throws reaches the caller as
 * {@link RemoteException}.
 */
@FunctionalInterface
public interface RpcHandler<Q, R> {
    R handle(Q request) throws Exception;
}
