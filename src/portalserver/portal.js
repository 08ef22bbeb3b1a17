// The portal's upload page: seals the chosen file (and its figures) to the bureau's X25519 key
// in this browser with @hpke/core (HPKE base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
// AES-256-GCM; info "qbank-upload/1", associated data the magic line), as `QBANK-UPLOAD/1`
// (src/package/upload.rs), and sends only the sealed bytes. A file already sealed by qbank
// (.qsub, .qres) is sent as it is. Without this script the form still works for those.
import { Aes256Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from "/static/hpke-core.js";

const MAGIC = new TextEncoder().encode("QBANK-UPLOAD/1\n");
const INFO = new TextEncoder().encode("qbank-upload/1");

function hexBytes(hex) {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(2 * i, 2), 16);
  return out;
}

function concat(parts) {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function bytesOf(file) {
  return new Uint8Array(await file.arrayBuffer());
}

function startsWithQbank(b) {
  const m = new TextEncoder().encode("QBANK-");
  return b.length > m.length && m.every((x, i) => b[i] === x);
}

/** The sealed upload of `main` with `figures`, as src/package/upload.rs reads it. */
export async function seal(keyHex, meta, main, figures) {
  const suite = new CipherSuite({
    kem: new DhkemX25519HkdfSha256(),
    kdf: new HkdfSha256(),
    aead: new Aes256Gcm(),
  });
  const pk = await suite.kem.deserializePublicKey(hexBytes(keyHex).buffer);
  const m = new TextEncoder().encode(JSON.stringify(meta));
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, m.length);
  const plain = concat([len, m, main, ...figures]);
  const sender = await suite.createSenderContext({ recipientPublicKey: pk, info: INFO.buffer });
  const ct = new Uint8Array(await sender.seal(plain.buffer, MAGIC.buffer));
  return concat([MAGIC, new Uint8Array(sender.enc), ct]);
}

function say(form, text, ok) {
  let p = form.querySelector(".seal-status");
  if (!p) {
    p = document.createElement("p");
    p.className = "seal-status";
    p.setAttribute("role", "status");
    form.appendChild(p);
  }
  p.className = "seal-status " + (ok ? "ok" : "error");
  p.textContent = text;
}

const form = document.querySelector("form[data-seal-to]");
if (form) {
  for (const n of form.querySelectorAll(".needs-js")) n.hidden = true;
  for (const n of form.querySelectorAll(".with-js")) n.hidden = false;
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const main = form.elements.file.files[0];
      if (!main) throw new Error("请选择要上传的文件");
      const mainBytes = await bytesOf(main);
      const kind = form.elements.kind.value;
      let body;
      let name;
      if (startsWithQbank(mainBytes)) {
        body = mainBytes;
        name = main.name;
      } else {
        const figs = form.elements.figures ? Array.from(form.elements.figures.files) : [];
        const figBytes = await Promise.all(figs.map(bytesOf));
        say(form, "正在本机加密……", true);
        const meta = {
          format: 1,
          kind,
          organisation: form.dataset.organisation,
          user: form.dataset.user,
          writer: form.dataset.writer,
          file_name: main.name,
          sealed_at: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
        };
        if (kind === "submission" && figs.length) {
          meta.attachments = figs.map((f, i) => ({ name: f.name, len: figBytes[i].length }));
        }
        body = await seal(form.dataset.sealTo, meta, mainBytes, kind === "submission" ? figBytes : []);
        name = main.name + ".qup";
      }
      const fd = new FormData();
      fd.append("csrf", form.elements.csrf.value);
      fd.append("kind", kind);
      fd.append("file", new Blob([body], { type: "application/octet-stream" }), name);
      const r = await fetch(form.action, { method: "POST", body: fd, credentials: "same-origin" });
      window.location.assign(r.url);
    } catch (err) {
      say(form, "未上传：" + (err && err.message ? err.message : err), false);
      button.disabled = false;
    }
  });
}
