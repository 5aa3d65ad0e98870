-- A cycle's kind: quarter, half, year (whole calendar months) or custom. Existing cycles
-- that are exactly a calendar quarter, half or year within one year are read as such;
-- every other existing cycle is custom (an admin may change it on the cycle's form).
ALTER TABLE cycles ADD COLUMN kind TEXT NOT NULL DEFAULT 'custom';
UPDATE cycles SET kind = 'quarter'
 WHERE substr(start_date, 1, 4) = substr(end_date, 1, 4)
   AND substr(start_date, 6, 5) || ' ' || substr(end_date, 6, 5)
       IN ('01-01 03-31', '04-01 06-30', '07-01 09-30', '10-01 12-31');
UPDATE cycles SET kind = 'half'
 WHERE substr(start_date, 1, 4) = substr(end_date, 1, 4)
   AND substr(start_date, 6, 5) || ' ' || substr(end_date, 6, 5) IN ('01-01 06-30', '07-01 12-31');
UPDATE cycles SET kind = 'year'
 WHERE substr(start_date, 1, 4) = substr(end_date, 1, 4)
   AND substr(start_date, 6, 5) || ' ' || substr(end_date, 6, 5) = '01-01 12-31';
-- The scheduler looks for planning cycles whose start date has come.
CREATE INDEX cycles_by_status_and_start ON cycles (status, start_date);
