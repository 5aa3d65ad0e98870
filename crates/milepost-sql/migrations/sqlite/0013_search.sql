-- Search (issue 15): one FTS5 table per kind of thing, over the table itself as
-- external content (it stores no second copy of the text), kept in step by triggers, so
-- that rows written by every path (the use cases, OKR files, the bulk seed, the demo,
-- SQL by hand) are found. Words are Unicode letters and digits, case and accents
-- folded; prefix indexes of 2 and 3 characters keep a short half-typed word quick.
-- Each table is filled from the rows already there by 'rebuild'. PostgreSQL's paired
-- migration creates GIN indexes of the same names.

CREATE VIRTUAL TABLE objectives_search USING fts5(
    title, description, content='objectives', content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2 3'
);
INSERT INTO objectives_search (objectives_search) VALUES ('rebuild');
CREATE TRIGGER objectives_search_insert AFTER INSERT ON objectives BEGIN
    INSERT INTO objectives_search (rowid, title, description) VALUES (new.id, new.title, new.description);
END;
CREATE TRIGGER objectives_search_delete AFTER DELETE ON objectives BEGIN
    INSERT INTO objectives_search (objectives_search, rowid, title, description) VALUES ('delete', old.id, old.title, old.description);
END;
CREATE TRIGGER objectives_search_update AFTER UPDATE OF title, description ON objectives BEGIN
    INSERT INTO objectives_search (objectives_search, rowid, title, description) VALUES ('delete', old.id, old.title, old.description);
    INSERT INTO objectives_search (rowid, title, description) VALUES (new.id, new.title, new.description);
END;

CREATE VIRTUAL TABLE key_results_search USING fts5(
    title, metric, content='key_results', content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2 3'
);
INSERT INTO key_results_search (key_results_search) VALUES ('rebuild');
CREATE TRIGGER key_results_search_insert AFTER INSERT ON key_results BEGIN
    INSERT INTO key_results_search (rowid, title, metric) VALUES (new.id, new.title, new.metric);
END;
CREATE TRIGGER key_results_search_delete AFTER DELETE ON key_results BEGIN
    INSERT INTO key_results_search (key_results_search, rowid, title, metric) VALUES ('delete', old.id, old.title, old.metric);
END;
CREATE TRIGGER key_results_search_update AFTER UPDATE OF title, metric ON key_results BEGIN
    INSERT INTO key_results_search (key_results_search, rowid, title, metric) VALUES ('delete', old.id, old.title, old.metric);
    INSERT INTO key_results_search (rowid, title, metric) VALUES (new.id, new.title, new.metric);
END;

CREATE VIRTUAL TABLE kpis_search USING fts5(
    name, slug, description, content='kpis', content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2 3'
);
INSERT INTO kpis_search (kpis_search) VALUES ('rebuild');
CREATE TRIGGER kpis_search_insert AFTER INSERT ON kpis BEGIN
    INSERT INTO kpis_search (rowid, name, slug, description) VALUES (new.id, new.name, new.slug, new.description);
END;
CREATE TRIGGER kpis_search_delete AFTER DELETE ON kpis BEGIN
    INSERT INTO kpis_search (kpis_search, rowid, name, slug, description) VALUES ('delete', old.id, old.name, old.slug, old.description);
END;
CREATE TRIGGER kpis_search_update AFTER UPDATE OF name, slug, description ON kpis BEGIN
    INSERT INTO kpis_search (kpis_search, rowid, name, slug, description) VALUES ('delete', old.id, old.name, old.slug, old.description);
    INSERT INTO kpis_search (rowid, name, slug, description) VALUES (new.id, new.name, new.slug, new.description);
END;

CREATE VIRTUAL TABLE people_search USING fts5(
    name, handle, email, content='people', content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2 3'
);
INSERT INTO people_search (people_search) VALUES ('rebuild');
CREATE TRIGGER people_search_insert AFTER INSERT ON people BEGIN
    INSERT INTO people_search (rowid, name, handle, email) VALUES (new.id, new.name, new.handle, new.email);
END;
CREATE TRIGGER people_search_delete AFTER DELETE ON people BEGIN
    INSERT INTO people_search (people_search, rowid, name, handle, email) VALUES ('delete', old.id, old.name, old.handle, old.email);
END;
CREATE TRIGGER people_search_update AFTER UPDATE OF name, handle, email ON people BEGIN
    INSERT INTO people_search (people_search, rowid, name, handle, email) VALUES ('delete', old.id, old.name, old.handle, old.email);
    INSERT INTO people_search (rowid, name, handle, email) VALUES (new.id, new.name, new.handle, new.email);
END;

CREATE VIRTUAL TABLE teams_search USING fts5(
    name, slug, content='teams', content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2 3'
);
INSERT INTO teams_search (teams_search) VALUES ('rebuild');
CREATE TRIGGER teams_search_insert AFTER INSERT ON teams BEGIN
    INSERT INTO teams_search (rowid, name, slug) VALUES (new.id, new.name, new.slug);
END;
CREATE TRIGGER teams_search_delete AFTER DELETE ON teams BEGIN
    INSERT INTO teams_search (teams_search, rowid, name, slug) VALUES ('delete', old.id, old.name, old.slug);
END;
CREATE TRIGGER teams_search_update AFTER UPDATE OF name, slug ON teams BEGIN
    INSERT INTO teams_search (teams_search, rowid, name, slug) VALUES ('delete', old.id, old.name, old.slug);
    INSERT INTO teams_search (rowid, name, slug) VALUES (new.id, new.name, new.slug);
END;
