-- The audit chain starts empty: seq 0 and a hash of 64 zeros, which the first row links to.
INSERT INTO `access_log_head` (`id`, `last_seq`, `last_hash`) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
