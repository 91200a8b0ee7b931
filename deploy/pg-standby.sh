#!/bin/sh
# Entrypoint of the compose "ha" profile's standby: on first start a base backup of the
# primary (pg_basebackup -R writes standby.signal and primary_conninfo), then PostgreSQL as
# a hot standby streaming as application_name=standby1, the name the primary waits for.
# Once promoted it waits for no standby of its own (synchronous_standby_names = '').
set -eu
PGDATA=${PGDATA:-/var/lib/postgresql/data}
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    until pg_isready -h db-primary -U "$POSTGRES_USER" -q; do sleep 1; done
    mkdir -p "$PGDATA" && chown postgres:postgres "$PGDATA" && chmod 700 "$PGDATA"
    gosu postgres env PGPASSWORD="$PB_REPLICATION_PASSWORD" \
        pg_basebackup -h db-primary -U replicator -D "$PGDATA" -X stream -S standby1 -R -c fast
    cat >> "$PGDATA/postgresql.auto.conf" <<CONF
primary_conninfo = 'host=db-primary user=replicator password=$PB_REPLICATION_PASSWORD application_name=standby1'
primary_slot_name = 'standby1'
synchronous_standby_names = ''
CONF
fi
exec gosu postgres postgres -D "$PGDATA" -c hot_standby=on -c hot_standby_feedback=on
