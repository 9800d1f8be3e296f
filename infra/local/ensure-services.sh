#!/usr/bin/env bash
# Make sure the local RabbitMQ and PostgreSQL that tests talk to are running;
# start them when they are installed but stopped. Never skips: exits non-zero
# with the reason if a server cannot be had.
set -euo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  local port=$1 name=$2
  for _ in $(seq 1 90); do
    port_open "$port" && return 0
    sleep 1
  done
  echo "ensure-services: $name did not open port $port within 90s" >&2
  exit 1
}

if ! port_open 5672; then
  command -v rabbitmq-server >/dev/null || { echo "ensure-services: RabbitMQ is not installed (apt-get install rabbitmq-server)" >&2; exit 1; }
  echo "ensure-services: starting RabbitMQ"
  rabbitmq-server -detached || true
  wait_port 5672 RabbitMQ
fi
# The node may be up with its application stopped (rabbitmqctl stop_app).
if command -v rabbitmqctl >/dev/null && ! rabbitmqctl -q await_startup --timeout 5 >/dev/null 2>&1; then
  rabbitmqctl -q start_app || true
fi

if ! port_open 5432; then
  command -v pg_ctlcluster >/dev/null || { echo "ensure-services: PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
  echo "ensure-services: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  wait_port 5432 PostgreSQL
fi
echo "ensure-services: RabbitMQ and PostgreSQL are up"
