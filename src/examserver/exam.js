// qbank 机考: saves each answer as soon as it changes and shows 已保存 only once the server has it
// on disk; retries through lost connections; keeps the timer in step with the server's clock.
"use strict";
(function () {
  const body = document.body;
  const phase = body.dataset.phase;
  const csrf = body.dataset.csrf || "";
  const left = document.getElementById("left");
  const conn = document.getElementById("conn");
  let seconds = left ? parseInt(left.dataset.seconds || "0", 10) : 0;
  let online = true;

  const big = document.getElementById("big");
  if (big) {
    if (localStorage.getItem("qbank-big") === "1") { body.classList.add("big"); big.setAttribute("aria-pressed", "true"); }
    big.addEventListener("click", () => {
      const on = body.classList.toggle("big");
      big.setAttribute("aria-pressed", on ? "true" : "false");
      localStorage.setItem("qbank-big", on ? "1" : "0");
    });
  }

  function clock(s) {
    s = Math.max(0, s);
    const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, x = s % 60;
    const p = (n) => String(n).padStart(2, "0");
    return h > 0 ? h + ":" + p(m) + ":" + p(x) : p(m) + ":" + p(x);
  }
  function setConn(ok) {
    online = ok;
    if (conn) conn.textContent = ok ? "" : "与考场服务器的连接中断，正在重连……（已保存的答案不会丢失）";
    body.classList.toggle("offline", !ok);
  }

  if (left && (phase === "open" || phase === "waiting")) {
    setInterval(() => {
      seconds -= 1;
      left.textContent = clock(seconds);
      if (seconds <= 0) location.reload();
      if (phase === "open" && seconds === 300) alert("距考试结束还有 5 分钟");
    }, 1000);
  }

  async function post(url, data) {
    const r = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf": csrf },
      body: JSON.stringify(data),
      credentials: "same-origin",
    });
    let j = null;
    try { j = await r.json(); } catch (e) { j = null; }
    return { status: r.status, body: j };
  }

  async function ping() {
    try {
      const r = await fetch("/api/ping", { credentials: "same-origin", cache: "no-store" });
      if (r.status === 401) { location.href = "/"; return; }
      const j = await r.json();
      setConn(true);
      if (j.phase !== phase) { location.reload(); return; }
      seconds = j.seconds;
    } catch (e) { setConn(false); }
  }
  if (phase === "open" || phase === "waiting") setInterval(ping, 10000);

  if (phase === "proctor") {
    setInterval(() => {
      if (!document.querySelector("details[open]") && !document.activeElement.matches("input")) location.replace("/proctor"); // GET: reloading an action's POST result would send it again
    }, 5000);
    return;
  }
  if (phase !== "open") return;

  // ---- answers
  const qs = Array.from(document.querySelectorAll("fieldset.q"));
  const rev = {};
  const busy = {};
  const again = {};
  function valueOf(f) {
    const t = f.dataset.type;
    if (t === "判断") {
      const c = f.querySelector("input[type=radio]:checked");
      return c ? { t: "judge", v: c.value === "1" } : { t: "clear" };
    }
    if (t === "单选" || t === "多选") {
      const v = Array.from(f.querySelectorAll("input[name^=a]:checked")).map((i) => parseInt(i.value, 10)).sort((a, b) => a - b);
      return v.length ? { t: "choice", v: v } : { t: "clear" };
    }
    if (t === "填空") {
      const v = Array.from(f.querySelectorAll(".blank input")).map((i) => i.value);
      return v.some((s) => s.trim() !== "") ? { t: "blanks", v: v } : { t: "clear" };
    }
    const ta = f.querySelector("textarea");
    return ta && ta.value.trim() !== "" ? { t: "text", v: ta.value } : { t: "clear" };
  }
  function status(f, text, cls) {
    const s = f.querySelector(".st");
    s.textContent = text;
    s.className = "st " + (cls || "");
  }
  function nav(f) {
    const a = document.querySelector('nav.grid a[data-q="' + f.dataset.q + '"]');
    if (!a) return;
    a.classList.toggle("done", valueOf(f).t !== "clear");
    a.classList.toggle("flag", f.querySelector("input.flag").checked);
  }
  async function save(f) {
    const q = f.dataset.q;
    if (busy[q]) { again[q] = true; return; }
    busy[q] = true;
    again[q] = false;
    rev[q] = (rev[q] || parseInt(f.dataset.rev || "0", 10)) + 1;
    const sent = rev[q];
    status(f, "保存中……", "pending");
    let delay = 500;
    for (;;) {
      try {
        const r = await post("/api/answer", { q: parseInt(q, 10), rev: sent, value: valueOf(f) });
        setConn(true);
        if (r.status === 200) { if (!again[q]) status(f, "已保存", "ok"); break; }
        if (r.status === 401) { location.href = "/"; return; }
        if (r.status === 409) { location.reload(); return; }
        status(f, (r.body && r.body.error) || "未能保存", "bad");
        break;
      } catch (e) {
        setConn(false);
        status(f, "未保存，正在重试……", "bad");
        await new Promise((res) => setTimeout(res, delay));
        delay = Math.min(delay * 2, 5000);
        // a newer change is sent with a newer number
        if (again[q]) break;
      }
    }
    busy[q] = false;
    nav(f);
    if (again[q]) save(f);
  }
  // a flag is kept like an answer: retried through a lost connection until the server has it
  const flagBusy = {};
  async function flag(f) {
    const q = f.dataset.q;
    if (flagBusy[q]) return;
    flagBusy[q] = true;
    let delay = 500;
    for (;;) {
      const on = f.querySelector("input.flag").checked;
      try {
        const r = await post("/api/flag", { q: parseInt(q, 10), on: on });
        setConn(true);
        if (r.status === 401) { location.href = "/"; return; }
        if (r.status === 409) { location.reload(); return; }
        if (r.status !== 200) status(f, (r.body && r.body.error) || "标记未能保存", "bad");
        // changed again while this one was on its way: send the newest
        if (f.querySelector("input.flag").checked === on) break;
      } catch (e) {
        setConn(false);
        status(f, "标记未保存，正在重试……", "bad");
        await new Promise((res) => setTimeout(res, delay));
        delay = Math.min(delay * 2, 5000);
      }
    }
    flagBusy[q] = false;
  }
  const timers = {};
  for (const f of qs) {
    f.addEventListener("change", (e) => {
      if (e.target.classList.contains("flag")) {
        flag(f);
        nav(f);
        return;
      }
      save(f);
    });
    f.addEventListener("input", (e) => {
      if (e.target.matches("textarea, .blank input")) {
        clearTimeout(timers[f.dataset.q]);
        status(f, "未保存", "pending");
        timers[f.dataset.q] = setTimeout(() => save(f), 1200);
      }
    });
    f.querySelector("button.clear").addEventListener("click", () => {
      f.querySelectorAll("input[name^=a]").forEach((i) => (i.checked = false));
      f.querySelectorAll(".blank input, textarea").forEach((i) => (i.value = ""));
      save(f);
    });
  }

  const dlg = document.getElementById("confirm");
  document.getElementById("submit").addEventListener("click", () => {
    const total = parseInt(body.dataset.total || "0", 10);
    const done = qs.filter((f) => valueOf(f).t !== "clear").length;
    const flagged = qs.filter((f) => f.querySelector("input.flag").checked).length;
    let t = "共 " + total + " 题，已答 " + done + " 题";
    if (done < total) t += "，还有 " + (total - done) + " 题未答";
    if (flagged) t += "，" + flagged + " 题已标记";
    t += "。交卷后不能再修改答案，确定交卷吗？";
    document.getElementById("confirm-text").textContent = t;
    dlg.showModal();
  });
  document.getElementById("no").addEventListener("click", () => dlg.close());
  document.getElementById("yes").addEventListener("click", async () => {
    const pending = qs.filter((f) => busy[f.dataset.q]);
    if (pending.length) { document.getElementById("confirm-text").textContent = "还有答案正在保存，请稍候再交卷。"; return; }
    try {
      const r = await post("/api/submit", {});
      if (r.status === 200 || r.status === 409) location.reload();
      else document.getElementById("confirm-text").textContent = (r.body && r.body.error) || "交卷未成功，请重试";
    } catch (e) {
      document.getElementById("confirm-text").textContent = "与服务器的连接中断，交卷未成功；请稍候重试";
    }
  });
})();
