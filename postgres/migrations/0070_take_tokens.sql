-- take_tokens takes one token from each bucket in order (GCRA, as the
-- upsert of TakeToken) and stops at the first that is empty. It returns the
-- tokens left after each successful take, then -1 for the refused bucket;
-- buckets after it are not touched. One round trip for the three limits of
-- a code send instead of three.
CREATE FUNCTION take_tokens(keys text[], now_ns bigint, intervals bigint[], bursts bigint[])
RETURNS bigint[] LANGUAGE plpgsql AS $$
DECLARE
    res bigint[] := '{}';
    new_tat bigint;
BEGIN
    FOR i IN 1 .. coalesce(array_length(keys, 1), 0) LOOP
        IF bursts[i] < 1 THEN
            RETURN res || -1::bigint;
        END IF;
        INSERT INTO limits AS l (key, tat) VALUES (keys[i], now_ns + intervals[i])
            ON CONFLICT (key) DO UPDATE SET tat = GREATEST(l.tat, now_ns) + intervals[i]
            WHERE GREATEST(l.tat, now_ns) + intervals[i] - now_ns <= bursts[i] * intervals[i]
            RETURNING l.tat INTO new_tat;
        IF NOT FOUND THEN
            RETURN res || -1::bigint;
        END IF;
        res := res || (now_ns + bursts[i] * intervals[i] - new_tat) / intervals[i];
    END LOOP;
    RETURN res;
END
$$;
