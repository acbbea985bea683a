/**
 * Realistic contents for the two databases a mail server keeps: `usermgmt` (the admin panel's
 * users, domains, aliases, audit log) and `roundcubemail` (webmail). Everything a dump must
 * carry intact is here: utf8mb4 text incl. Japanese and emoji, a BLOB with NUL bytes,
 * a trigger, a stored function and procedure, and a few hundred rows.
 */
import type { MariaDb } from './mariadb.js';
import { createRng } from './prng.js';

const JA_NAMES = ['山田 太郎', '佐藤 花子', '鈴木 一郎', '高橋 美咲', '田中 健', '伊藤 さくら', '渡辺 翔', '中村 陽子'];
const EN_NAMES = ['Alice Martin', 'Bob Smith', "Carol O'Neil", 'Dave Müller', 'Eve Durand', 'Frank Lee'];
const DOMAINS = ['example.com', 'example.org', 'example.net', 'mail.example.jp'];

const q = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function usermgmtSql(seed: number): string {
  const rng = createRng(seed);
  const rows: string[] = [];
  rows.push(`
CREATE DATABASE usermgmt CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
USE usermgmt;
CREATE TABLE domains (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(190) NOT NULL UNIQUE,
  description TEXT, active TINYINT(1) NOT NULL DEFAULT 1, created_at DATETIME NOT NULL) ENGINE=InnoDB;
CREATE TABLE users (id INT AUTO_INCREMENT PRIMARY KEY, domain_id INT NOT NULL, email VARCHAR(190) NOT NULL UNIQUE,
  display_name VARCHAR(190) NOT NULL, password_hash VARCHAR(255) NOT NULL, quota_mb INT NOT NULL DEFAULT 1024,
  avatar BLOB NULL, active TINYINT(1) NOT NULL DEFAULT 1, created_at DATETIME NOT NULL,
  FOREIGN KEY (domain_id) REFERENCES domains(id)) ENGINE=InnoDB;
CREATE TABLE aliases (id INT AUTO_INCREMENT PRIMARY KEY, domain_id INT NOT NULL, source VARCHAR(190) NOT NULL,
  destination TEXT NOT NULL, FOREIGN KEY (domain_id) REFERENCES domains(id)) ENGINE=InnoDB;
CREATE TABLE audit_log (id BIGINT AUTO_INCREMENT PRIMARY KEY, at DATETIME NOT NULL, actor VARCHAR(190) NOT NULL,
  action VARCHAR(64) NOT NULL, detail TEXT) ENGINE=InnoDB;
CREATE TRIGGER users_audit AFTER INSERT ON users FOR EACH ROW
  INSERT INTO audit_log (at, actor, action, detail) VALUES (NEW.created_at, 'trigger', 'user.create', NEW.email);
CREATE FUNCTION user_count(d INT) RETURNS INT READS SQL DATA
  RETURN (SELECT COUNT(*) FROM users WHERE domain_id = d);
CREATE PROCEDURE deactivate_domain(IN d INT) MODIFIES SQL DATA
  UPDATE users SET active = 0 WHERE domain_id = d;
`);
  const domainVals = DOMAINS.map(
    (d, i) => `(${i + 1}, ${q(d)}, ${q(i === 3 ? '日本支社のメールドメイン' : `Mail for ${d}`)}, 1, '2023-0${i + 1}-15 10:00:00')`,
  );
  rows.push(`INSERT INTO domains VALUES ${domainVals.join(',\n')};`);
  const users: string[] = [];
  for (let i = 1; i <= 240; i++) {
    const domainId = ((i - 1) % DOMAINS.length) + 1;
    const name = rng.chance(0.4) ? rng.pick(JA_NAMES) : rng.pick(EN_NAMES);
    const avatar = rng.chance(0.3) ? `UNHEX('00${rng.hex(rng.int(16, 200))}00')` : 'NULL';
    const hash = `{SHA512-CRYPT}$6$${rng.hex(8)}$${rng.hex(40)}`;
    const day = String(rng.int(1, 28)).padStart(2, '0');
    users.push(
      `(${i}, ${domainId}, ${q(`user${i}@${DOMAINS[domainId - 1]}`)}, ${q(`${name} ${i === 7 ? '📧' : ''}`.trim())}, ${q(hash)}, ${rng.int(1, 20) * 512}, ${avatar}, 1, '2024-03-${day} 09:${String(i % 60).padStart(2, '0')}:00')`,
    );
  }
  rows.push(`INSERT INTO users VALUES ${users.join(',\n')};`);
  const aliases: string[] = [];
  for (let i = 1; i <= 80; i++) {
    const d = ((i - 1) % DOMAINS.length) + 1;
    aliases.push(`(${i}, ${d}, ${q(`alias${i}@${DOMAINS[d - 1]}`)}, ${q(`user${rng.int(1, 240)}@${DOMAINS[d - 1]}`)})`);
  }
  rows.push(`INSERT INTO aliases VALUES ${aliases.join(',\n')};`);
  const audits: string[] = [];
  for (let i = 1; i <= 200; i++) {
    audits.push(
      `('2024-05-${String(rng.int(1, 28)).padStart(2, '0')} 12:00:00', 'admin', ${q(rng.pick(['login', 'password.change', 'quota.change']))}, ${q(rng.chance(0.3) ? 'パスワードを変更しました' : `session ${rng.hex(6)}`)})`,
    );
  }
  rows.push(`INSERT INTO audit_log (at, actor, action, detail) VALUES ${audits.join(',\n')};`);
  return rows.join('\n');
}

function roundcubeSql(seed: number): string {
  const rng = createRng(seed + 1);
  const out: string[] = [];
  out.push(`
CREATE DATABASE roundcubemail CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
USE roundcubemail;
CREATE TABLE users (user_id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY, username VARCHAR(128) BINARY NOT NULL,
  mail_host VARCHAR(128) NOT NULL, created DATETIME NOT NULL, last_login DATETIME NULL, language VARCHAR(16),
  preferences LONGTEXT, UNIQUE KEY username (username, mail_host)) ENGINE=InnoDB;
CREATE TABLE identities (identity_id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY, user_id INT UNSIGNED NOT NULL,
  standard TINYINT(1) NOT NULL DEFAULT 0, name VARCHAR(128) NOT NULL, email VARCHAR(128) NOT NULL,
  signature LONGTEXT, FOREIGN KEY (user_id) REFERENCES users(user_id) ON DELETE CASCADE) ENGINE=InnoDB;
CREATE TABLE contacts (contact_id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY, user_id INT UNSIGNED NOT NULL,
  changed DATETIME NOT NULL, name VARCHAR(128) NOT NULL DEFAULT '', email TEXT NOT NULL, vcard LONGTEXT,
  FOREIGN KEY (user_id) REFERENCES users(user_id) ON DELETE CASCADE) ENGINE=InnoDB;
CREATE TABLE session (sess_id VARCHAR(128) NOT NULL PRIMARY KEY, changed DATETIME NOT NULL,
  ip VARCHAR(40) NOT NULL, vars MEDIUMTEXT NOT NULL) ENGINE=InnoDB;
CREATE TABLE cache (user_id INT UNSIGNED NOT NULL, cache_key VARCHAR(128) BINARY NOT NULL, expires DATETIME NULL,
  data LONGTEXT NOT NULL, PRIMARY KEY (user_id, cache_key)) ENGINE=InnoDB;
`);
  const users: string[] = [];
  const identities: string[] = [];
  const contacts: string[] = [];
  const cache: string[] = [];
  for (let u = 1; u <= 60; u++) {
    const email = `user${u}@${DOMAINS[(u - 1) % DOMAINS.length]}`;
    const lang = rng.chance(0.4) ? 'ja_JP' : 'en_US';
    users.push(`(${u}, ${q(email)}, 'localhost', '2024-01-10 08:00:00', '2024-06-01 07:30:00', '${lang}', ${q('a:1:{s:8:"timezone";s:10:"Asia/Tokyo";}')})`);
    const name = lang === 'ja_JP' ? rng.pick(JA_NAMES) : rng.pick(EN_NAMES);
    identities.push(`(${u}, ${u}, 1, ${q(name)}, ${q(email)}, ${q(lang === 'ja_JP' ? `--\n${name}\nよろしくお願いいたします。` : `--\n${name}`)})`);
    for (let c = 0; c < 4; c++) {
      const cname = rng.pick([...JA_NAMES, ...EN_NAMES]);
      contacts.push(`(${u}, '2024-04-0${c + 1} 10:00:00', ${q(cname)}, ${q(`c${rng.hex(3)}@example.com`)}, ${q(`BEGIN:VCARD\nVERSION:3.0\nFN:${cname}\nEND:VCARD`)})`);
    }
    cache.push(`(${u}, 'IMAP.messagecount', NULL, ${q(Buffer.from(rng.hex(32)).toString('base64'))})`);
  }
  out.push(`INSERT INTO users VALUES ${users.join(',\n')};`);
  out.push(`INSERT INTO identities VALUES ${identities.join(',\n')};`);
  out.push(`INSERT INTO contacts (user_id, changed, name, email, vcard) VALUES ${contacts.join(',\n')};`);
  out.push(`INSERT INTO cache VALUES ${cache.join(',\n')};`);
  const sessions: string[] = [];
  for (let s = 0; s < 25; s++) {
    sessions.push(`(${q(rng.hex(16))}, '2024-06-01 07:${String(s).padStart(2, '0')}:00', '192.0.2.${s + 1}', ${q(Buffer.from(`language|s:5:"ja_JP";user_id|i:${s + 1};`).toString('base64'))})`);
  }
  out.push(`INSERT INTO session VALUES ${sessions.join(',\n')};`);
  return out.join('\n');
}

/** Creates and fills `usermgmt` and `roundcubemail`. Deterministic for a given seed. */
export async function seedMailDatabases(db: MariaDb, seed = 1): Promise<void> {
  await db.query(`SET NAMES utf8mb4;\n${usermgmtSql(seed)}`);
  await db.query(`SET NAMES utf8mb4;\n${roundcubeSql(seed)}`);
}
