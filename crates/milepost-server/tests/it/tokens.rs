//! API tokens: made by an admin, shown once, listed without their secret (or its hash),
//! noted when used, stopped at once by a revoke, and by their expiry; a token of one
//! workspace knows nothing of another's tokens.

use crate::harness::{Api, BEARER_CHALLENGE, GHOST, NOW, Reply, at_hours, id};
use jiff::SignedDuration;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// SHA-256 of `data` as lowercase hex (FIPS 180-4), to look for the stored hash of a
/// token where it must not be; written out here so the test needs no crate for it.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
        0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
        0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
        0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
        0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
        0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
        0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] =
        [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    let mut message = data.to_vec();
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
    for block in message.chunks(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let choice = (e & f) ^ (!e & g);
            let t1 = hh.wrapping_add(s1).wrapping_add(choice).wrapping_add(K[i]).wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let majority = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(majority);
            (hh, g, f, e, d, c, b, a) = (g, f, e, d.wrapping_add(t1), c, b, a, t1.wrapping_add(t2));
        }
        for (state, value) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *state = state.wrapping_add(value);
        }
    }
    h.iter().map(|word| format!("{word:08x}")).collect()
}

#[test]
fn sha256_hex_gives_the_published_digests() {
    assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    let long = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    assert_eq!(sha256_hex(long), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/// The token with `token_id` as `admin` lists it.
async fn listed(admin: &Api, token_id: i64) -> Value {
    let tokens = admin.get("/api/v1/tokens").await.expect(200);
    let found = tokens.as_array().unwrap().iter().find(|t| id(t) == token_id).cloned();
    found.unwrap_or_else(|| panic!("token {token_id} is not in {tokens}"))
}

/// Asserts a refusal for want of a valid token.
#[track_caller]
fn unauthenticated(reply: &Reply) {
    reply.problem(401, "unauthenticated");
    assert_eq!(reply.header("www-authenticate"), Some(BEARER_CHALLENGE), "{}", reply.request);
}

http_test!(a_token_is_shown_once_and_neither_it_nor_its_hash_is_ever_listed, |api: Api| async move {
    let admin = api.new_workspace("acme").await;
    let body = json!({"name": "CI import of the sales numbers", "role": "editor", "expires_in_days": 30});
    let reply = admin.post("/api/v1/tokens", body).await;
    assert_eq!(reply.header("location"), Some("/api/v1/tokens"));
    let created = reply.expect(201);
    let secret = created["token"].as_str().unwrap().to_owned();
    let hex = secret.strip_prefix("mp_").unwrap_or_else(|| panic!("{secret} lacks the mp_ prefix"));
    assert_eq!(hex.len(), 64, "{secret}");
    assert!(hex.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)), "{secret}");
    let details = &created["details"];
    assert_eq!(details["name"], "CI import of the sales numbers");
    assert_eq!(details["role"], "editor");
    assert_eq!(details["prefix"], secret[..11]);
    assert_eq!(details["state"], "active");
    assert_eq!(details["created_at"], NOW);
    assert_eq!(details["expires_at"], at_hours(30 * 24));
    assert_eq!(details["revoked_at"], Value::Null);
    assert_eq!(details["last_used_at"], Value::Null);

    // It works at once, with its role.
    let editor = admin.with_token(&secret);
    editor.get("/api/v1/teams").await.expect(200);
    editor.post("/api/v1/teams", json!({"name": "Sales"})).await.problem(403, "forbidden");

    // Made again, a token is another secret; without a name, it is named after its role.
    let other = admin.post("/api/v1/tokens", json!({"role": "viewer"})).await.expect(201);
    assert_ne!(other["token"], created["token"]);
    assert_eq!(other["details"]["name"], "viewer token");
    assert_eq!(other["details"]["expires_at"], Value::Null);

    // Neither the list nor the audit trail holds a secret, or what is stored of it.
    let list = admin.get("/api/v1/tokens").await;
    let events = admin.get("/api/v1/events?entity=token&limit=500").await;
    assert_eq!(events.body["items"].as_array().map(Vec::len), Some(3), "{}", events.text);
    for secret in [secret.as_str(), other["token"].as_str().unwrap(), admin.token()] {
        let hex = &secret[3..];
        let hash = sha256_hex(secret.as_bytes());
        for reply in [&list, &events] {
            for needle in [hex.to_owned(), hash.clone(), hash.to_uppercase()] {
                assert!(!reply.text.contains(&needle), "{} holds {needle}: {}", reply.request, reply.text);
            }
        }
    }
    let list = list.expect(200);
    let tokens = list.as_array().unwrap();
    assert_eq!(tokens.len(), 3, "the operator's token and the two made: {list}");
    let keys: BTreeSet<&str> = tokens.iter().flat_map(|t| t.as_object().unwrap().keys()).map(String::as_str).collect();
    let view = ["created_at", "expires_at", "id", "last_used_at", "name", "prefix", "revoked_at", "role", "state"];
    assert_eq!(keys, view.into_iter().collect(), "a listed token is its details only");
    let mut mine = listed(&admin, id(details)).await;
    assert_eq!(mine["last_used_at"], NOW, "it was used above");
    mine["last_used_at"] = Value::Null;
    assert_eq!(&mine, details, "listed as it was shown when made");
});

http_test!(last_used_at_notes_each_use_to_the_minute, |api: Api| async move {
    let admin = api.new_workspace("acme").await;
    let viewer = admin.as_role("viewer").await;
    let token_id = viewer.token_id(&admin).await;
    assert_eq!(listed(&admin, token_id).await["last_used_at"], Value::Null, "not used yet");
    viewer.get("/api/v1/workspace").await.expect(200);
    assert_eq!(listed(&admin, token_id).await["last_used_at"], NOW);
    // A refused request is a use too: the token was valid.
    admin.shift_clock(SignedDuration::from_mins(5));
    viewer.post("/api/v1/teams", json!({"name": "Sales"})).await.problem(403, "forbidden");
    assert_eq!(listed(&admin, token_id).await["last_used_at"], "2026-11-16T00:05:00Z");
    // Within a minute of the last note nothing is written again.
    admin.shift_clock(SignedDuration::from_secs(5 * 60 + 30));
    viewer.get("/api/v1/teams").await.expect(200);
    assert_eq!(listed(&admin, token_id).await["last_used_at"], "2026-11-16T00:05:00Z");
    admin.shift_clock(SignedDuration::from_mins(7));
    viewer.get("/api/v1/teams").await.expect(200);
    assert_eq!(listed(&admin, token_id).await["last_used_at"], "2026-11-16T00:07:00Z");
});

http_test!(a_revoked_token_stops_at_once_and_a_second_revoke_keeps_the_first_time, |api: Api| async move {
    let admin = api.new_workspace("acme").await;
    let editor = admin.as_role("editor").await;
    let token_id = editor.token_id(&admin).await;
    editor.get("/api/v1/teams").await.expect(200);
    let revoke = format!("/api/v1/tokens/{token_id}/revoke");
    let revoked = admin.post(&revoke, json!({})).await.expect(200);
    assert_eq!(revoked["id"], token_id);
    assert_eq!(revoked["state"], "revoked");
    assert_eq!(revoked["revoked_at"], NOW);
    for reply in [editor.get("/api/v1/teams").await, editor.post("/api/v1/teams", json!({"name": "Sales"})).await] {
        unauthenticated(&reply);
    }
    assert_eq!(listed(&admin, token_id).await, revoked);

    // Later, again: still revoked since the first time. A revoke needs no body.
    admin.shift_clock(SignedDuration::from_hours(3));
    let request = admin.request(reqwest::Method::POST, &revoke);
    let again = Api::send(format!("POST {revoke}"), request).await.expect(200);
    assert_eq!(again["revoked_at"], NOW, "the first revoke's time stays");
    assert_eq!(again["state"], "revoked");
    unauthenticated(&editor.get("/api/v1/teams").await);

    // An admin may revoke their own token; the next request is refused.
    let second = admin.as_role("admin").await;
    let own = second.token_id(&admin).await;
    second.post(&format!("/api/v1/tokens/{own}/revoke"), json!({})).await.expect(200);
    unauthenticated(&second.get("/api/v1/tokens").await);
    admin.get("/api/v1/tokens").await.expect(200);
    admin.post(&format!("/api/v1/tokens/{GHOST}/revoke"), json!({})).await.problem(404, "not_found");
});

http_test!(a_token_stops_when_its_days_run_out, |api: Api| async move {
    let admin = api.new_workspace("acme").await;
    let created = admin.create_token("editor", Some(1)).await;
    let token = admin.with_token(created["token"].as_str().unwrap());
    let token_id = id(&created["details"]);
    assert_eq!(created["details"]["expires_at"], at_hours(24));
    token.get("/api/v1/teams").await.expect(200);
    admin.shift_clock(SignedDuration::from_secs(24 * 3600 - 1));
    token.get("/api/v1/teams").await.expect(200);
    assert_eq!(listed(&admin, token_id).await["state"], "active");
    admin.shift_clock(SignedDuration::from_hours(24));
    unauthenticated(&token.get("/api/v1/teams").await);
    let expired = listed(&admin, token_id).await;
    assert_eq!(expired["state"], "expired");
    assert_eq!(expired["revoked_at"], Value::Null);
    // A token without an end keeps working.
    admin.shift_clock(SignedDuration::from_hours(24 * 365 * 20));
    admin.get("/api/v1/teams").await.expect(200);
});

http_test!(unknown_revoked_and_expired_tokens_get_the_very_same_answer, |api: Api| async move {
    let admin = api.new_workspace("acme").await;
    let (revoked, _) = admin.revoked("admin").await;
    let expired = admin.expired("admin").await;
    let unknown = admin.with_token(&format!("mp_{}", "ab".repeat(32)));
    let answers: Vec<Reply> = vec![
        unknown.get("/api/v1/teams").await,
        revoked.get("/api/v1/teams").await,
        expired.get("/api/v1/teams").await,
    ];
    for reply in &answers {
        unauthenticated(reply);
    }
    assert_eq!(answers[0].text, answers[1].text, "a revoked token is not told apart from an unknown one");
    assert_eq!(answers[0].text, answers[2].text, "an expired token is not told apart from an unknown one");
    assert!(answers[0].detail().contains("expired or revoked"), "{}", answers[0].text);
});

http_test!(a_token_lives_from_1_to_3650_days_and_bad_requests_make_none, |api: Api| async move {
    let admin = api.new_workspace("acme").await;
    let before = admin.get("/api/v1/tokens").await.expect(200);
    let cases = [
        (json!({"role": "viewer", "expires_in_days": 0}), "/expires_in_days"),
        (json!({"role": "viewer", "expires_in_days": 3651}), "/expires_in_days"),
        (json!({"role": "viewer", "expires_in_days": -1}), "/expires_in_days"),
        (json!({"role": "viewer", "expires_in_days": 1.5}), "/expires_in_days"),
        (json!({"role": "owner"}), "/role"),
        (json!({"name": "  ", "role": "viewer"}), "/name"),
        (json!({"role": "viewer", "secret": "mp_mine"}), "/secret"),
    ];
    for (body, pointer) in cases {
        let reply = admin.post("/api/v1/tokens", body.clone()).await;
        assert_eq!(reply.status, 422, "{body}: {}", reply.text);
        reply.invalid_at(&[pointer]);
    }
    let zero = admin.post("/api/v1/tokens", json!({"role": "viewer", "expires_in_days": 0})).await;
    assert!(zero.detail().contains("3650"), "{}", zero.text);
    admin.post("/api/v1/tokens", json!({"name": "", "role": "viewer"})).await.invalid_at(&["/name"]);
    admin.post("/api/v1/tokens", json!({"name": "x"})).await.invalid_at(&[""]);
    assert_eq!(admin.get("/api/v1/tokens").await.expect(200), before, "no refused request made a token");

    // The edges are fine.
    let short = admin.create_token("viewer", Some(1)).await;
    assert_eq!(short["details"]["expires_at"], at_hours(24));
    let long = admin.create_token("viewer", Some(3650)).await;
    assert_eq!(long["details"]["expires_at"], at_hours(3650 * 24));
});

http_test!(a_token_of_one_workspace_cannot_list_or_revoke_another_s_tokens, |api: Api| async move {
    let acme = api.new_workspace("acme").await;
    let globex = api.new_workspace("globex").await;
    let theirs = globex.as_role("editor").await;
    let their_id = theirs.token_id(&globex).await;
    let their_tokens = globex.get("/api/v1/tokens").await.expect(200);
    let their_ids: BTreeSet<i64> = their_tokens.as_array().unwrap().iter().map(id).collect();

    let ours = acme.get("/api/v1/tokens").await.expect(200);
    let our_ids: BTreeSet<i64> = ours.as_array().unwrap().iter().map(id).collect();
    assert_eq!(our_ids.len(), 1, "only acme's own token: {ours}");
    assert!(our_ids.is_disjoint(&their_ids), "{ours} vs {their_tokens}");

    let reply = acme.post(&format!("/api/v1/tokens/{their_id}/revoke"), json!({})).await;
    reply.problem(404, "not_found");
    let ghost = acme.post(&format!("/api/v1/tokens/{GHOST}/revoke"), json!({})).await;
    assert_eq!(reply.text, ghost.text.replace(&GHOST.to_string(), &their_id.to_string()), "as if it did not exist");
    theirs.get("/api/v1/teams").await.expect(200);
    assert_eq!(globex.get("/api/v1/tokens").await.expect(200).as_array().unwrap().len(), their_ids.len());
    assert_eq!(listed(&globex, their_id).await["state"], "active");
    assert_eq!(listed(&globex, their_id).await["revoked_at"], Value::Null);
    // And it acts in its own workspace only.
    assert_eq!(theirs.get("/api/v1/workspace").await.expect(200)["slug"], "globex");
});
