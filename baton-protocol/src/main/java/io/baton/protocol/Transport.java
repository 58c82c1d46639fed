package io.baton.protocol;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * The event-loop transport the server and the client use: Linux's epoll where Netty's native
 * library loads (it reads into the buffers' own memory and wakes a loop with an eventfd, where the
 * JDK's selector copies and signals through a pipe), otherwise the JDK's NIO. The system property
 * {@code baton.transport=nio} forces NIO.
 */
public enum Transport {
    EPOLL, NIO;

    /** The transport for this machine. */
    public static Transport best() {
        if ("nio".equalsIgnoreCase(System.getProperty("baton.transport"))) return NIO;
        return Epoll.isAvailable() ? EPOLL : NIO;
    }

    public IoHandlerFactory ioHandlerFactory() {
        return this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    public Class<? extends SocketChannel> socketChannel() {
        return this == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    public Class<? extends ServerSocketChannel> serverSocketChannel() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }
}
