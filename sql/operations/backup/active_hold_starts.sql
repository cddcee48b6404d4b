-- Start of every active legal hold of the audit database (NULL: covers rows from the
-- beginning); an audit backup taken after that start contains rows the hold covers.
SELECT covers_from FROM audit_legal_hold WHERE released_at IS NULL
