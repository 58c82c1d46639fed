#!/usr/bin/env bash
# The full comparison of docs/benchmarks.md: every goal of DESIGN.md's performance table, and the
# nats:// overhead of issue 5, with `baton bench`, each workload against its peers in one run.
# Needs NATS with JetStream on 127.0.0.1:4222 and RabbitMQ on 127.0.0.1:5672 (guest/guest); starts
# two Baton servers of its own (7400 in memory, 7402 on ./bench-results/server-data) and stops them.
# Results: bench-results/full-<time>/<name>/{results.md,results.csv,chart.png}; the tables on stdout.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
baton="$root/baton"
out="$root/bench-results/full-$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$out"
cd "$out"
"$baton" --help > /dev/null   # builds baton.jar once, before anything is measured
"$baton" serve --port 7400 --http-port 0 > serve-mem.log 2>&1 &
mem=$!
"$baton" serve --port 7402 --http-port 0 --data ./server-data > serve-data.log 2>&1 &
data=$!
trap 'kill $mem $data 2>/dev/null; wait; rm -rf ./server-data ./data' EXIT
up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in $(seq 1 150); do up 7400 && up 7402 && break; sleep 0.2; done
up 7400 && up 7402 || { echo "the Baton servers did not start; see $out/serve-*.log"; exit 1; }
duration=${DURATION:-5s}
runs=${RUNS:-3}
run() {
  name=$1; shift
  echo "== $name: baton bench $* --duration $duration --runs $runs"
  "$baton" bench "$@" --duration "$duration" --runs "$runs" --out "$out/$name" | grep -E '^\||^note|skipped|FAILED' || true
}
run mem-queue           queue  --url mem: --compare jdk
run file-queue          queue  --url file:./data --compare nats
run baton-pubsub        pubsub --url baton://127.0.0.1:7400 --compare nats,rabbitmq
run baton-queue         queue  --url baton://127.0.0.1:7402 --compare nats,rabbitmq
run baton-rpc           rpc    --url baton://127.0.0.1:7400 --compare nats,rabbitmq
run nats-queue          queue  --url nats://127.0.0.1:4222 --compare nats
run nats-queue-rate     queue  --url nats://127.0.0.1:4222 --compare nats --rate 5000
run nats-pubsub         pubsub --url nats://127.0.0.1:4222 --compare nats
# history=false on a prefix of its own: no topics stream exists there to capture the publishes
run nats-pubsub-plain   pubsub --url "nats://127.0.0.1:4222?history=false&prefix=plain$(date +%s)" --compare nats
run nats-pubsub-durable pubsub --url nats://127.0.0.1:4222 --compare nats --durable
run nats-rpc            rpc    --url nats://127.0.0.1:4222 --compare nats
echo "results: $out"
