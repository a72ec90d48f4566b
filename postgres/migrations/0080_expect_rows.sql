-- expect_rows fails its statement, and so the transaction, unless a write
-- changed exactly want rows. It guards a write sent with COMMIT whose
-- outcome the caller already knows from a row it holds locked: should that
-- ever not hold, the transaction must not commit. SQLSTATE P0002
-- (no_data_found) tells the store what happened.
CREATE FUNCTION expect_rows(what text, n bigint, want bigint)
RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    IF n <> want THEN
        RAISE EXCEPTION USING ERRCODE = 'P0002',
            MESSAGE = format('%s: changed %s rows, want %s', what, n, want);
    END IF;
    RETURN n;
END
$$;
