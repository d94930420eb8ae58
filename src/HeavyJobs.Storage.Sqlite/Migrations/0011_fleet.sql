-- The fleet. A machine is up, or dead (its heartbeats stopped and the leading manager freed its work); a drained
-- machine runs no workers. pid, host and beat_ms say who holds the name and how often it promised to beat.
ALTER TABLE hj_nodes ADD COLUMN state TEXT NOT NULL DEFAULT 'up';
ALTER TABLE hj_nodes ADD COLUMN state_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hj_nodes ADD COLUMN drained INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hj_nodes ADD COLUMN pid INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hj_nodes ADD COLUMN host TEXT NOT NULL DEFAULT '';
ALTER TABLE hj_nodes ADD COLUMN beat_ms INTEGER NOT NULL DEFAULT 10000;

-- The manager that leads, and its epoch: a write the manager makes checks the epoch in the same transaction,
-- so a deposed leader's late write is refused.
CREATE TABLE hj_leader (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    epoch INTEGER NOT NULL,
    holder TEXT NOT NULL,
    since INTEGER NOT NULL
);
INSERT INTO hj_leader (id, epoch, holder, since) VALUES (1, 0, '', 0);

-- Fleet-wide worker counts per type, spread by the leading manager over the machines that are up. A machine's
-- own row in hj_worker_targets is pinned when an operator set it (it wins), spread when the manager wrote it.
CREATE TABLE hj_fleet_targets (
    type TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
ALTER TABLE hj_worker_targets ADD COLUMN pinned INTEGER NOT NULL DEFAULT 1;
