-- General-ledger accounts (financial database) with the statement they report on and their
-- normal balance.
SELECT account_id::bigint AS account_id, account_number, account_name, account_type,
       account_subtype, cash_flow_category, cost_element,
       CASE WHEN account_type IN ('REVENUE', 'EXPENSE') THEN 'INCOME' ELSE 'BALANCE' END AS statement,
       CASE WHEN account_type IN ('ASSET', 'EXPENSE') THEN 'DEBIT' ELSE 'CREDIT' END AS normal_balance,
       is_active::int AS is_active
FROM gl_accounts
