-- An update time's watermark read partway through a second S: the release that added last_row_key
-- kept S itself in last_sequence, which a hub of the release before reads as "all of S was read" and
-- so skips the rest of S. Such a row keeps its position (S and the key, in last_row_key) and
-- last_sequence goes to S - 1, the last second read whole (update times are whole seconds), as this
-- release writes it. NULL, and a key for an earlier second than last_sequence, already mean "all of
-- last_sequence was read" and stay as they are; so do growing keys and months, which have no key.
UPDATE `monitoring_watermark` SET `last_sequence` = `last_sequence` - 1
WHERE `last_row_key` IS NOT NULL AND `last_sequence` > 0
  AND CAST(JSON_UNQUOTE(JSON_EXTRACT(`last_row_key`, '$.second')) AS UNSIGNED) = `last_sequence`;
