package io.baton.bench.tool;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MessageProperties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * RabbitMQ through its Java client ({@code amqp-client}), each producer and each consumer on its
 * own connection:
 * <ul>
 *   <li>queue: a classic queue, new for the run; durable: a durable queue, persistent messages and
 *       publisher confirms ({@link PublisherConfirms}); not durable: a transient queue, transient
 *       messages, no confirms. Consumers take with manual acks (prefetch {@value #PREFETCH}), acking
 *       each message;</li>
 *   <li>pubsub: a topic exchange, each subscriber its own queue bound to the subject: ephemeral, a
 *       server-named exclusive queue with automatic acks; durable, a durable queue with manual acks,
 *       persistent messages and publisher confirms;</li>
 *   <li>rpc: a request queue consumed by the servers, who publish the body back to the caller's
 *       direct reply-to ({@code amq.rabbitmq.reply-to}).</li>
 * </ul>
 * Queues and exchanges are deleted after the run.
 */
public final class RabbitMqPeer implements BenchSystem {
    static final int PREFETCH = 256;
    private static final long CALL_TIMEOUT_SECONDS = 5;
    private static final String REPLY_TO = "amq.rabbitmq.reply-to";

    private final String uri;

    public RabbitMqPeer(String uri) {
        this.uri = uri;
    }

    @Override
    public String name() {
        return "rabbitmq";
    }

    @Override
    public String label(BenchSpec spec) {
        return switch (spec.workload()) {
            case QUEUE -> spec.durable() ? "rabbitmq durable queue, confirms" : "rabbitmq transient queue";
            case PUBSUB -> spec.durable() ? "rabbitmq topic exchange, durable queues, confirms" : "rabbitmq topic exchange";
            case RPC -> "rabbitmq direct reply-to";
        };
    }

    @Override
    public String describe(BenchSpec spec) {
        String what = switch (spec.workload()) {
            case QUEUE -> (spec.durable() ? "a durable classic queue, persistent messages, publisher confirms"
                    : "a transient classic queue, transient messages, no confirms")
                    + "; consumers with manual acks, prefetch " + PREFETCH;
            case PUBSUB -> "a topic exchange, each subscriber its own queue bound to the subject: " + (spec.durable()
                    ? "durable queues, persistent messages, publisher confirms, manual acks (prefetch " + PREFETCH + ")"
                    : "server-named exclusive queues, automatic acks, no confirms");
            case RPC -> "requests to one queue consumed by the servers (automatic acks), replies to the caller's direct reply-to";
        };
        return what + "; amqp-client, a connection per producer and per " + spec.consumerRole() + ", broker " + redacted();
    }

    /** The URI without its password, for the results. */
    private String redacted() {
        return uri.replaceFirst("//([^:/@]*):[^@]*@", "//$1:***@");
    }

    private ConnectionFactory factory() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(uri);
        factory.setConnectionTimeout(2000);
        factory.setAutomaticRecoveryEnabled(false);
        return factory;
    }

    @Override
    public void probe() throws Exception {
        try (Connection c = factory().newConnection("baton-bench-probe")) {
            c.getServerProperties();
        } catch (Exception e) {
            throw new IllegalStateException("cannot connect to " + redacted() + ": " + Progress.reason(e), e);
        }
    }

    @Override
    public Session open(BenchSpec spec, Meter meter) throws Exception {
        ConnectionFactory factory = factory();
        return Endpoints.build(session -> {
            Cleanup cleanup = session.cleanup;
            String id = "baton.bench." + System.nanoTime();
            String subject = "bench.subject";
            boolean durable = spec.durable();
            Connection adminConnection = factory.newConnection("baton-bench-admin");
            cleanup.add(adminConnection::close);
            Channel admin = adminConnection.createChannel();
            switch (spec.workload()) {
                case QUEUE, RPC -> {
                    admin.queueDeclare(id, durable, false, false, null);
                    cleanup.add(() -> admin.queueDelete(id));
                }
                case PUBSUB -> {
                    admin.exchangeDeclare(id, BuiltinExchangeType.TOPIC, durable, false, null);
                    cleanup.add(() -> admin.exchangeDelete(id));
                }
            }
            for (int i = 0; i < spec.consumers(); i++) {
                Connection c = factory.newConnection("baton-bench-" + spec.consumerRole() + "-" + i);
                cleanup.add(c::close);
                Channel channel = c.createChannel();
                switch (spec.workload()) {
                    case QUEUE -> consumeAndAck(channel, id, meter);
                    case PUBSUB -> {
                        if (durable) {
                            String queue = id + ".sub" + i;
                            channel.queueDeclare(queue, true, false, false, null);
                            cleanup.add(() -> admin.queueDelete(queue));
                            channel.queueBind(queue, id, subject);
                            consumeAndAck(channel, queue, meter);
                        } else {
                            String queue = channel.queueDeclare().getQueue(); // server-named, exclusive, deleted with the connection
                            channel.queueBind(queue, id, subject);
                            channel.basicConsume(queue, true, (tag, delivery) -> meter.received(delivery.getBody()), tag -> { });
                        }
                    }
                    case RPC -> channel.basicConsume(id, true, (tag, delivery) -> channel.basicPublish("", delivery.getProperties().getReplyTo(),
                            new AMQP.BasicProperties.Builder().correlationId(delivery.getProperties().getCorrelationId()).build(),
                            delivery.getBody()), tag -> { });
                }
            }
            for (int i = 0; i < spec.producers(); i++) {
                Connection c = factory.newConnection("baton-bench-" + spec.producerRole() + "-" + i);
                cleanup.add(c::close);
                Channel channel = c.createChannel();
                if (spec.workload() == Workload.RPC) {
                    session.addCaller(caller(channel, id));
                    continue;
                }
                String exchange = spec.workload() == Workload.QUEUE ? "" : id;
                String routingKey = spec.workload() == Workload.QUEUE ? id : subject;
                if (durable) {
                    PublisherConfirms confirms = new PublisherConfirms(channel);
                    session.addSender(body -> {
                        var confirmed = confirms.next();
                        channel.basicPublish(exchange, routingKey, MessageProperties.PERSISTENT_BASIC, body);
                        return confirmed;
                    });
                } else {
                    session.addSender(body -> {
                        channel.basicPublish(exchange, routingKey, null, body);
                        return null;
                    });
                }
            }
        });
    }

    /** Manual acks, a prefetch of {@value #PREFETCH}: each message reported, then acked. */
    private static void consumeAndAck(Channel channel, String queue, Meter meter) throws Exception {
        channel.basicQos(PREFETCH);
        channel.basicConsume(queue, false, (tag, delivery) -> {
            meter.received(delivery.getBody());
            channel.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
        }, tag -> { });
    }

    /** One call at a time on {@code channel}: publish with reply-to, wait for the reply on direct reply-to. */
    private static BenchSystem.Call caller(Channel channel, String requestQueue) throws Exception {
        BlockingQueue<byte[]> replies = new ArrayBlockingQueue<>(1);
        channel.basicConsume(REPLY_TO, true, (tag, delivery) -> replies.offer(delivery.getBody()), tag -> { });
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().replyTo(REPLY_TO).build();
        return body -> {
            channel.basicPublish("", requestQueue, properties, body);
            byte[] reply = replies.poll(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (reply == null) throw new IllegalStateException("no reply within " + CALL_TIMEOUT_SECONDS + " s");
            return reply;
        };
    }
}
