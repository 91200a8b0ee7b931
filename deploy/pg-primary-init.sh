#!/bin/sh
# docker-entrypoint-initdb.d script for the compose "ha" profile's primary: a replication
# role for the standby, and synchronous replication from the next start on (ALTER SYSTEM:
# the entrypoint's own set-up server must not wait for a standby that does not exist yet).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD '${PB_REPLICATION_PASSWORD}';
SELECT pg_create_physical_replication_slot('standby1');
ALTER SYSTEM SET synchronous_standby_names = 'standby1';
ALTER SYSTEM SET synchronous_commit = 'on';
ALTER SYSTEM SET wal_sender_timeout = '10s';
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
