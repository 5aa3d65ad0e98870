//! The query of a KPI's SQL source, checked as part of its definition: one statement
//! that reads, with nothing that reaches beyond the database it runs on (issue 12).
//! Pure text rules, used when an editor sets a source and again by the reader before
//! every run (see `milepost-sources`).

/// Checks a SQLite source's query: one statement (no second after a `;`; a write is
/// refused by the read-only connection at the run), and no word that reaches another
/// file or changes the connection (`ATTACH`, `DETACH`, `PRAGMA`, `VACUUM`,
/// `load_extension`). Strings, quoted names and comments are read as SQLite reads
/// them, so neither hides a statement. The error is a sentence.
pub fn check_sqlite_query(query: &str) -> Result<(), String> {
    check_query(query, Dialect::Sqlite)
}

/// Checks a PostgreSQL source's query: one statement (the driver's prepared statement
/// holds one anyway), none that runs code (`DO`, `CALL`, ...), and no function that
/// reads outside the database (`dblink`, `pg_read_file`, ...) or `COPY`. The
/// transaction is read-only.
pub fn check_postgres_query(query: &str) -> Result<(), String> {
    check_query(query, Dialect::Postgres)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Sqlite,
    Postgres,
}

/// Words no SQLite source query may hold outside strings and quoted names.
const SQLITE_REFUSED: [&str; 8] =
    ["attach", "detach", "pragma", "vacuum", "load_extension", "fts3_tokenizer", "readfile", "writefile"];
/// Words no PostgreSQL source query may hold: functions that read outside the database.
const POSTGRES_REFUSED: [&str; 7] =
    ["pg_read_file", "pg_read_binary_file", "pg_ls_dir", "pg_stat_file", "lo_import", "lo_export", "copy"];

/// Statements a PostgreSQL source may not start with: they run code or change the
/// session rather than read.
const POSTGRES_REFUSED_FIRST: [&str; 11] =
    ["do", "call", "load", "set", "reset", "prepare", "execute", "listen", "notify", "lock", "discard"];

fn check_query(query: &str, dialect: Dialect) -> Result<(), String> {
    if query.contains('\0') {
        return Err("the query contains a NUL character".to_owned());
    }
    let chars: Vec<char> = query.chars().collect();
    let mut index = 0;
    let mut first_word: Option<String> = None;
    let mut ended = false;
    while index < chars.len() {
        let c = chars[index];
        let next = chars.get(index + 1).copied();
        if c.is_whitespace() {
            index += 1;
        } else if c == '-' && next == Some('-') {
            while index < chars.len() && chars[index] != '\n' {
                index += 1;
            }
        } else if c == '/' && next == Some('*') {
            index += 2;
            while index < chars.len() && !(chars[index] == '*' && chars.get(index + 1) == Some(&'/')) {
                index += 1;
            }
            index += 2;
        } else if ended {
            return Err(
                "the query holds more than one statement: a source runs exactly one statement that reads".to_owned()
            );
        } else if c == ';' {
            ended = true;
            index += 1;
        } else if matches!(c, '\'' | '"' | '`' | '[') {
            let close = if c == '[' { ']' } else { c };
            index += 1;
            loop {
                match chars.get(index) {
                    None => return Err("the query has a quote or bracket that is never closed".to_owned()),
                    // A doubled quote is the quote itself; brackets have no escape.
                    Some(&q) if q == close && close != ']' && chars.get(index + 1) == Some(&close) => index += 2,
                    Some(&q) if q == close => {
                        index += 1;
                        break;
                    }
                    Some(_) => index += 1,
                }
            }
            if first_word.is_none() {
                first_word = Some(String::new());
            }
        } else if c.is_alphanumeric() || c == '_' || c == '$' || !c.is_ascii() {
            let start = index;
            while index < chars.len()
                && (chars[index].is_alphanumeric()
                    || chars[index] == '_'
                    || chars[index] == '$'
                    || !chars[index].is_ascii())
            {
                index += 1;
            }
            let word: String = chars[start..index].iter().collect::<String>().to_lowercase();
            let refused: &[&str] = if dialect == Dialect::Sqlite { &SQLITE_REFUSED } else { &POSTGRES_REFUSED };
            if refused.contains(&word.as_str()) || (dialect == Dialect::Postgres && word.starts_with("dblink")) {
                return Err(format!(
                    "the query uses {}, which could reach beyond the allowed database: a source only reads",
                    word.to_uppercase()
                ));
            }
            if first_word.is_none() {
                first_word = Some(word);
            }
        } else {
            if first_word.is_none() {
                first_word = Some(c.to_string());
            }
            index += 1;
        }
    }
    // A write is left to the read-only connection, which refuses it at the run; what
    // reads nothing but acts on the server is refused here.
    match (first_word.as_deref(), dialect) {
        (None, _) => Err("the query holds no statement".to_owned()),
        (Some(word), Dialect::Postgres) if POSTGRES_REFUSED_FIRST.contains(&word) => Err(format!(
            "the query is a {} statement: a source runs one statement that reads (SELECT)",
            word.to_uppercase()
        )),
        _ => Ok(()),
    }
}

/// A SQL source's query, checked for its database's kind (named by `url`'s scheme):
/// [`check_sqlite_query`] for a `sqlite:` URL, [`check_postgres_query`] for any other.
pub fn check_sql_query(url: &str, query: &str) -> Result<(), String> {
    if url.trim().starts_with("sqlite:") { check_sqlite_query(query) } else { check_postgres_query(query) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_queries_are_one_statement_that_reads() {
        for fine in [
            "SELECT 1 AS value",
            "select 1 as value;",
            "SELECT 1 AS value; -- done",
            "SELECT 'a;b' AS note, 2 AS value",
            "SELECT \"attach\" FROM t",
            "WITH x AS (SELECT 1 AS value) SELECT value FROM x",
            "/* why */ SELECT value FROM pragma_table_info('t')",
            "VALUES (1)",
        ] {
            assert_eq!(check_sqlite_query(fine), Ok(()), "{fine}");
        }
        for refused in [
            "ATTACH DATABASE '/x.db' AS m; SELECT count(*) AS value FROM m.api_tokens",
            "SELECT 1; ATTACH DATABASE '/x.db' AS m",
            "SELECT 'x'';' AS a; SELECT 2",
            "/* SELECT */ ATTACH '/x.db' AS m",
            "SELECT 1 -- \n; DETACH m",
            "SELECT load_extension('/tmp/x.so')",
            "VACUUM INTO '/tmp/copy.db'",
            "PRAGMA database_list",
            "SELECT 1 /* ; */ ; /**/ SELECT 2",
            "SELECT 'open",
            "SELECT [open",
        ] {
            assert!(check_sqlite_query(refused).is_err(), "{refused}");
        }
    }
}
