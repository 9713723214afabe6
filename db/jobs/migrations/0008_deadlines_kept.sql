-- A case's working-day deadline keeps its due date as counted when it stopped (met, or the case ended) since cases
-- migration 0021 (case_deadline_kept); one that stopped before had no row and was counted at every read under the
-- calendar in force, so a holiday notice loaded later moved a deadline already met or missed (an opinion formed late
-- read on time). The first hub to start after this keeps each such deadline's due date as counted under the calendar
-- in force then (db/setup/upgrades.ts DEADLINES_KEPT), each row sealed in the transaction that writes it (a sealed
-- case record: db/cases/seals.ts). Re-runnable (IGNORE): a start stopped before the journal recorded it runs it again.
INSERT IGNORE INTO `data_upgrade` (`name`) VALUES ('deadlines-kept:aid_case');
