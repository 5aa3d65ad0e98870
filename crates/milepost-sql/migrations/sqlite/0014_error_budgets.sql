-- Error budgets (issue 20): the share of a maintain or range key result's slices (periods
-- of its cadence) that must meet its condition, 0 < share <= 1. NULL is every slice (no
-- error budget); the budget is 1 - required_share.
ALTER TABLE key_results ADD COLUMN required_share DOUBLE PRECISION;
