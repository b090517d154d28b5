-- The web application's PostgreSQL role: it reads and writes rows, owns nothing, and can neither change,
-- delete, empty nor un-trigger the audit log. Run as the owner role (the one `manage.py migrate` connects
-- as) after the first migrate and after every migrate that adds a table (docs/deploy.md, "Database roles").
GRANT USAGE ON SCHEMA public TO uptake_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO uptake_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO uptake_app;
REVOKE UPDATE, DELETE, TRUNCATE ON studies_auditentry FROM uptake_app;
