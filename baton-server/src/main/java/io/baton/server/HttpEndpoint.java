package io.baton.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.baton.protocol.Transport;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's HTTP port: {@code GET /health} (200 "ok" while it serves), {@code GET /metrics}
 * (Prometheus text format) and {@code GET /stats} (the same numbers as JSON). Read-only, no
 * secrets; it listens on the server's bind address.
 */
final class HttpEndpoint {
    private static final Logger log = LoggerFactory.getLogger(HttpEndpoint.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Channel listener;

    HttpEndpoint(BatonServer server, EventLoopGroup boss, EventLoopGroup workers, Transport transport, String bind, int port) throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap().group(boss, workers).channel(transport.serverSocketChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new HttpServerCodec(4096, 8192, 8192))
                                .addLast(new HttpObjectAggregator(16 * 1024))
                                .addLast(new Handler(server));
                    }
                });
        this.listener = bootstrap.bind(bind, port).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    void close() {
        listener.close().awaitUninterruptibly();
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final BatonServer server;

        Handler(BatonServer server) {
            this.server = server;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws Exception {
            String path = new QueryStringDecoder(request.uri()).path();
            FullHttpResponse response;
            if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
                response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET\n", "text/plain; charset=utf-8");
                response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            } else {
                response = switch (path) {
                    case "/health" -> server.closing()
                            ? text(HttpResponseStatus.SERVICE_UNAVAILABLE, "closing\n", "text/plain; charset=utf-8")
                            : text(HttpResponseStatus.OK, "ok\n", "text/plain; charset=utf-8");
                    case "/metrics" -> text(HttpResponseStatus.OK, server.metrics().prometheus(server), "text/plain; version=0.0.4; charset=utf-8");
                    case "/stats" -> text(HttpResponseStatus.OK,
                            JSON.writerWithDefaultPrettyPrinter().writeValueAsString(server.metrics().stats(server)) + "\n", "application/json");
                    default -> text(HttpResponseStatus.NOT_FOUND, "no such page; try /health, /metrics or /stats\n", "text/plain; charset=utf-8");
                };
            }
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            HttpUtil.setKeepAlive(response, keepAlive);
            var written = ctx.writeAndFlush(response);
            if (!keepAlive) written.addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("HTTP connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }

        private static FullHttpResponse text(HttpResponseStatus status, String body, String type) {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
            HttpUtil.setContentLength(r, r.content().readableBytes());
            return r;
        }
    }
}
