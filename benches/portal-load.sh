#!/bin/sh
# The portal under load, on loopback, beside nginx on the same machine (BENCHMARKS.md, "门户"):
#   1. 500 concurrent evaluators (500 sessions) downloading the demo's sealed package for
#      南京金陵 (2.1 MB) from one portal node (SQLite), against nginx serving the same file
#      (sendfile, keep-alive): wrk -t2 -c500, requests/s, MB/s, p50/p99, errors;
#   2. two portal nodes over one PostgreSQL behind nginx: 40 clients download the package 5
#      times each at 500 KB/s while node 1 is killed with SIGKILL; curl resumes every cut download
#      (Range) through nginx on node 2. Reports downloads, failures (digest wrong or gave up)
#      and how many were resumed.
# Needs: the demo (sh banks/sittings/demo.sh), nginx, wrk, curl, PostgreSQL (Debian packages).
# Bounded: about two minutes. Usage: sh benches/portal-load.sh [seconds per wrk run, default 15]
set -eu
cd "$(dirname "$0")/.."
secs=${1:-15}
cargo build --release --quiet
q=$PWD/target/release/qbank
p=$PWD/target/release/qbank-portal
# under /tmp: nginx's workers (nobody) and PostgreSQL (postgres) must reach their files
w=/tmp/qbank-portal-load
A=S000032100001
pkg=demo/sitting/packages/$A.qpkg
[ -f "$pkg" ] || { echo "run sh banks/sittings/demo.sh first" >&2; exit 1; }
pids=""
cleanup() { # SIGTERM: nginx's master then stops its workers
    for x in $pids; do kill -TERM "$x" 2>/dev/null || true; done
    sleep 0.3
}
trap cleanup EXIT
rm -rf "$w"
mkdir -p "$w/www/packages/JS-2026-11-DG"
cp "$pkg" "$w/www/packages/JS-2026-11-DG/$A.qpkg"
chmod 755 "$w"
chmod -R a+rX "$w/www"
sum=$(sha256sum "$pkg" | cut -d' ' -f1)
cp -r qbank-store "$w/store"
cp qbank.key "$w/qbank.key"
export QBANK_STORE="$w/store" QBANK_KEY_FILE="$w/qbank.key" QBANK_OPERATOR_KEY=demo/people/ops-zhangwei.key
$q portal outbox --out "$w/out.qbx" --packages demo/sitting/packages --enrol "$A" --letters "$w/letters" >/dev/null
pin=$($q bureau-key pin)
code=$(grep -E '^ +[0-9A-Z]{6}-[0-9A-Z]{6}-[0-9A-Z]{6}$' "$w/letters/$A-注册码.txt" | tr -d ' ')

wait_up() { # port
    i=0
    until curl -sf -o /dev/null "http://127.0.0.1:$1/healthz"; do
        i=$((i + 1)); [ $i -lt 200 ] || { echo "port $1 did not come up" >&2; exit 1; }
        sleep 0.05
    done
}
# enrol the administrator, add 10 evaluators, and sign in 500 times: one cookie per line
sessions() { # base out
    jar="$w/admin.jar"
    curl -sf -c "$jar" -o /dev/null -d "organisation=$A" -d "code=$code" -d login=jl-admin -d name=李敏 \
        -d password=金陵考点2026秋季 "$1/enrol"
    csrf=$(curl -sf -b "$jar" "$1/home" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
    for i in 0 1 2 3 4 5 6 7 8 9; do
        curl -sf -b "$jar" -o /dev/null -d "csrf=$csrf" -d "login=ev-$i" -d "name=考评员$i" -d role=evaluator \
            -d password=考评员初始密码2026 "$1/users"
    done
    : >"$2"
    n=0
    while [ $n -lt 500 ]; do
        curl -s -o /dev/null -D - -d "login=ev-$((n % 10))" -d password=考评员初始密码2026 "$1/login" |
            sed -n 's/^[Ss]et-[Cc]ookie: \(qbank_portal=[0-9a-f]*\).*/\1/p' >>"$2"
        n=$((n + 1))
    done
}

nginx_conf() { # file body
    cat >"$1" <<EOF
worker_processes 2;
pid $w/nginx-\$\$.pid;
error_log $w/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log $w/nginx-access.log;
    sendfile on; tcp_nopush on; keepalive_timeout 65; keepalive_requests 100000;
    client_body_temp_path $w/tmp; proxy_temp_path $w/tmp; fastcgi_temp_path $w/tmp;
    uwsgi_temp_path $w/tmp; scgi_temp_path $w/tmp;
    $2
}
EOF
}
mkdir -p "$w/tmp"

echo "== 1. 500 evaluators downloading a ${secs}s run each: nginx (static file) and one portal node (SQLite)"
$p --dir "$w/one" init --bureau-key demo/catalog/bureau.pub --pin "$pin" --insecure-cookies >/dev/null
$p --dir "$w/one" import "$w/out.qbx" >/dev/null
$p --dir "$w/one" serve --listen 127.0.0.1:18301 >"$w/one.log" 2>&1 &
pids="$pids $!"
wait_up 18301
sessions http://127.0.0.1:18301 "$w/cookies.txt"
echo "  sessions: $(wc -l <"$w/cookies.txt")"
nginx_conf "$w/static.conf" "server { listen 127.0.0.1:18300; root $w/www; location / { } }"
nginx -c "$w/static.conf" -p "$w" -g 'daemon off;' &
pids="$pids $!"
sleep 0.5
cat >"$w/cookies.lua" <<'EOF'
local cookies, i = {}, 0
for line in io.lines(os.getenv("COOKIES")) do cookies[#cookies + 1] = line end
request = function()
    i = i % #cookies + 1
    return wrk.format("GET", nil, { Cookie = cookies[i] })
end
EOF
run_wrk() { # name url [lua]
    if [ -n "${3:-}" ]; then
        COOKIES="$w/cookies.txt" wrk -t2 -c500 -d"${secs}s" --latency -s "$3" "$2" >"$w/wrk-$1.txt" 2>&1
    else
        wrk -t2 -c500 -d"${secs}s" --latency "$2" >"$w/wrk-$1.txt" 2>&1
    fi
    rps=$(sed -n 's/^Requests\/sec: *//p' "$w/wrk-$1.txt")
    mbs=$(sed -n 's/^Transfer\/sec: *//p' "$w/wrk-$1.txt")
    p50=$(awk '$1=="50%"{print $2}' "$w/wrk-$1.txt")
    p99=$(awk '$1=="99%"{print $2}' "$w/wrk-$1.txt")
    errs=$(sed -n 's/^ *Socket errors: *//p; s/^ *Non-2xx or 3xx responses: *\(.*\)/non-2xx \1/p' "$w/wrk-$1.txt" | tr '\n' ' ')
    echo "  $1: $rps downloads/s, $mbs, p50 $p50, p99 $p99, errors: ${errs:-none}"
}
url=/packages/JS-2026-11-DG/$A.qpkg
run_wrk nginx "http://127.0.0.1:18300$url"
run_wrk portal "http://127.0.0.1:18301$url" "$w/cookies.lua"
n_rps=$(sed -n 's/^Requests\/sec: *//p' "$w/wrk-nginx.txt")
p_rps=$(sed -n 's/^Requests\/sec: *//p' "$w/wrk-portal.txt")
echo "  portal / nginx: $(echo "$p_rps $n_rps" | awk '{printf "%.2f", $1 / $2}')"
cleanup; pids=""

echo "== 2. two portal nodes over one PostgreSQL behind nginx; node 1 killed with SIGKILL during 200 downloads"
# Loopback's socket buffers grow to megabytes: a node would hand a whole 2.1 MB package to the
# kernel at once and a kill would cut nothing. Small buffers for this part (root only; put
# back on exit) keep most of each download in the node, as over a real network.
old_r=$(sysctl -n net.ipv4.tcp_rmem 2>/dev/null || true)
old_w=$(sysctl -n net.ipv4.tcp_wmem 2>/dev/null || true)
restore() { [ -n "$old_r" ] && sysctl -qw net.ipv4.tcp_rmem="$old_r" net.ipv4.tcp_wmem="$old_w" || true; }
trap 'cleanup; restore' EXIT
sysctl -qw net.ipv4.tcp_rmem="4096 16384 32768" net.ipv4.tcp_wmem="4096 16384 32768" 2>/dev/null ||
    echo "  (cannot shrink socket buffers without root: fewer downloads will be cut)"
db=$(.ci/postgres 54339 "$w/pg" load)
QBANK_PORTAL_DATABASE=$db $p --dir "$w/two" init --bureau-key demo/catalog/bureau.pub --pin "$pin" --insecure-cookies >/dev/null
QBANK_PORTAL_DATABASE=$db $p --dir "$w/two" import "$w/out.qbx" >/dev/null
QBANK_PORTAL_DATABASE=$db $p --dir "$w/two" serve --listen 127.0.0.1:18311 >"$w/node1.log" 2>&1 &
node1=$!
QBANK_PORTAL_DATABASE=$db $p --dir "$w/two" serve --listen 127.0.0.1:18312 >"$w/node2.log" 2>&1 &
node2=$!
pids="$node1 $node2"
wait_up 18311; wait_up 18312
: >"$w/nginx-access.log"
nginx_conf "$w/proxy.conf" "upstream portal { server 127.0.0.1:18311 max_fails=1 fail_timeout=30s; server 127.0.0.1:18312 max_fails=1 fail_timeout=30s; keepalive 32; }
    log_format ranges '\$status \$upstream_addr \$http_range';
    server { listen 127.0.0.1:18310; access_log $w/nginx-access.log ranges;
        location / { proxy_pass http://portal; proxy_http_version 1.1; proxy_set_header Connection \"\";
            proxy_buffering off; proxy_next_upstream error timeout http_502; } }"
nginx -c "$w/proxy.conf" -p "$w" -g 'daemon off;' &
pids="$pids $!"
sleep 0.5
sessions http://127.0.0.1:18310 "$w/cookies2.txt"   # signed in through nginx: on either node
mkdir -p "$w/dl"
client() { # k: 5 downloads; a cut one is resumed from the bytes it has (Range), as a
    # download manager does: curl -C - in a new process asks for the rest (curl's own --retry
    # would start the file over)
    c=$(sed -n "$(($1 + 1))p" "$w/cookies2.txt")
    for j in 1 2 3 4 5; do
        f="$w/dl/$1-$j.qpkg"
        tries=0
        until curl -sf -o "$f" -C - --limit-rate 500K -H "Cookie: $c" "http://127.0.0.1:18310$url"; do
            tries=$((tries + 1))
            if [ $tries -ge 20 ]; then echo "curl $1-$j: gave up after $tries tries" >>"$w/failed.txt"; break; fi
        done
    done
}
: >"$w/failed.txt"
k=0
cpids=""
while [ $k -lt 40 ]; do client $k & cpids="$cpids $!"; k=$((k + 1)); done
sleep 2
kill -9 "$node1"
echo "  node 1 killed (SIGKILL) 2 s into the downloads"
for x in $cpids; do wait "$x" || true; done
ok=0; bad=0
for f in "$w"/dl/*.qpkg; do
    if [ "$(sha256sum "$f" | cut -d' ' -f1)" = "$sum" ]; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
done
resumed=$(awk '$1 == 206' "$w/nginx-access.log" | wc -l)
on2=$(awk '$1 == 206 && /18312/' "$w/nginx-access.log" | wc -l)   # also those nginx first tried on the dead node
echo "  downloads: $((ok + bad)), identical to the package: $ok, failed: $((bad + $(wc -l <"$w/failed.txt"))); resumed with Range: $resumed ($on2 of them on node 2)"
[ "$bad" = 0 ] && [ ! -s "$w/failed.txt" ] && [ $((ok + bad)) = 200 ]
