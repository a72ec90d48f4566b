-- pgbench script: the statements of one send code on PostgreSQL, in the two
-- pipelined round trips the store sends them in (postgres/guests.go,
-- flows.go, audit.go, queue.JobRow), with no HTTP, no Go and no mail
-- delivery. It measures what PostgreSQL alone can do with a send on a
-- machine. Keys use ';' where GuestPass uses ':', because pgbench reads
-- ":name" inside a string literal as a variable.
\set vip random(1, 2000000000)
\set vf random(1, 4000000000000000000)
\set va random(1, 4000)
\startpipeline
BEGIN;
SELECT g.id IS NOT NULL, COALESCE(g.id, ''), COALESCE(g.tenant_id, ''), COALESCE(g.mail, ''), COALESCE(g.display_name, ''), COALESCE(g.state, ''), COALESCE(g.invited_by, ''), g.invited_at, g.redeemed_at, g.last_sign_in_at, g.created_at, g.updated_at, COALESCE(g.redeemed_with, ''), (SELECT i.expires_at FROM invitations i WHERE i.tenant_id = 'tbench' AND i.guest_id = g.id ORDER BY i.created_at DESC, i.seq DESC LIMIT 1), (SELECT locked_until FROM locks WHERE key = 'lock;tbench;guest' || :va::bigint || '@partner.example'), take_tokens(ARRAY['send;ip;' || :vip::bigint, 'send;flow;' || :vf::bigint, 'send;addr;tbench;guest' || :va::bigint || '@partner.example'], (extract(epoch FROM clock_timestamp()) * 1000000000)::bigint, ARRAY[60000000000, 30000000000, 360000000000]::bigint[], ARRAY[60, 1, 10]::bigint[]) FROM (SELECT 1) AS one LEFT JOIN guests g ON g.tenant_id = 'tbench' AND g.mail = 'guest' || :va::bigint || '@partner.example';
\endpipeline
\startpipeline
INSERT INTO audit_events (id, tenant_id, occurred_at, type, action, outcome, reason, guest_id, actor, ip, user_agent, detail) VALUES ('r' || :vf::bigint, 'tbench', :vf::bigint, 'signIn', 'signIn.route', 'success', '', 'g' || :va::bigint, 'guest', '10.0.0.1', 'Go-http-client/1.1', 'mail');
INSERT INTO flows (id_hash, tenant_id, mail, invitation_id, return_to, state, code_mac, code_expires_at, code_attempts, code_sent_at, guest_id, created_at, expires_at, amr, idp, app_id, step_up, upstream_id, upstream_state, upstream_nonce, upstream_verifier) VALUES (int8send(:vf::bigint) || int8send(:vip::bigint) || int8send(:va::bigint) || int8send(:vf::bigint), 'tbench', 'guest' || :va::bigint || '@partner.example', '', '', 'codeSent', int8send(:vf::bigint) || int8send(:vf::bigint) || int8send(:vf::bigint) || int8send(:vf::bigint), :vf::bigint, 0, :vf::bigint, '', :vf::bigint, :vf::bigint, '[]', '', '', false, '', NULL, '', NULL);
INSERT INTO river_job (args, kind, max_attempts, priority, queue) VALUES (('{"id":"m' || :vf::bigint || '","tenantId":"tbench","type":"code","notAfter":"2026-12-07T00:00:00Z","sealed":"Rf9bO1F+baEQPm88azw6c6e7BRCmCOzEg8HDX+BJPjV59LaVaicpOeq9sVVWpk/mKwVrzKCVSxCy65xtGOOV0UUiJA15DTpwzrN22IOsdmDFHdgnjFJopOJ2w0gCzUIlfmi/M86pvoTpYDsnJkWDYu43f7HVP3MwRk7k05tdeV43JFSpL3rVAILUPII0jPjRK0yON5EaLl6Kkb3X5Oi1fsZu718+D8d+PVJzFFVZWYiLUAV2OjF7cUK69z7ClzUqfrbCtyKrAqTMngbaNcVDnsIk5byyv1Vw18tEaNEbOevYp6ow8KWtgFgu2f7RdSq0EwU4/QUx7FK2978O/XahIqaF6Oi3M885ZG6mpkoEe5Y6OMCUBlQ+bpmrJDPbTp/cFde6+LxtH0Hb56B9"}')::jsonb, 'guestpass_mail', 20, 1, 'default');
INSERT INTO audit_events (id, tenant_id, occurred_at, type, action, outcome, reason, guest_id, actor, ip, user_agent, detail) VALUES ('s' || :vf::bigint, 'tbench', :vf::bigint, 'signIn', 'code.send', 'success', '', 'g' || :va::bigint, 'guest', '10.0.0.1', 'Go-http-client/1.1', '');
COMMIT;
\endpipeline
