#!/bin/sh
# The demo sitting, end to end, with the real CLI and the sample bank:
#   1. build (or update) the default store ./qbank-store from banks/ (key ./qbank.key);
#   2. three sample organisations make their key pairs "on their side" (demo/orgs/) and are
#      registered from their public keys; the public catalog is published (demo/catalog/), and
#      each organisation pins the bureau's keys in its key file, checked against the pin the
#      bureau gave it at registration;
#   3. the November sitting (banks/sittings/2026-11-dg.toml, 电工 and 车工) is assembled, rendered and sealed,
#      one package per organisation (demo/sitting/packages/);
#   4. the papers release is issued (the start has passed); one organisation opens its package
#      with it alone (demo/papers-only/), as it would during the sitting: the papers open, the
#      answer keys stay shut (no key.* file);
#   5. the keys release is issued (the end, the keys time, has passed too) and each organisation
#      opens its package with its own key and both releases, as an evaluator would
#      (demo/unsealed/<organisation>/), verifying it with the pinned bureau key (the bureau.pub
#      beside the packages must be that key);
#   6. 南京金陵 runs a 机考 on its 四级 theory copy (qbank exam init/serve, simulated candidates,
#      export sealed to the bureau), and the bureau analyses the results without retyping;
#   7. the crossing to the portal and back (qbank-portal, over loopback with curl);
#   8. the audit log is verified: chained, signed by the bureau, every change after the
#      operator's registration signed with the operator's personal key, and holding the entries
#      both releases name.
# Running it again changes nothing: the bank, the catalog and the sitting are already there.
set -eu
cd "$(dirname "$0")/../.."
cargo build --release --quiet
q=target/release/qbank
out=demo
plan=banks/sittings/2026-11-dg.toml
sitting=JS-2026-11-DG
# The bureau's operator (人员登记) signs every change with a personal key kept on their own
# medium (demo/people/). The first run imports the bank before anyone is registered, then
# registers the operator; from then on every change is signed (QBANK_OPERATOR_KEY).
op=ops-zhangwei
[ -f "$out/people/$op.key" ] || $q person keygen --id "$op" --out "$out/people" >/dev/null
export QBANK_OPERATOR_KEY="$out/people/$op.key"

$q import --init banks
if $q person list | grep -q "^$op "; then
    echo "操作员 $op 已登记"
else
    $q person add "$op" --name 张伟 --role operator --pub "$out/people/$op.pub"
fi

pin=$($q bureau-key pin)   # handed to each organisation at registration (备案), not sent with files

register() { # id name kind category region certify [certify…]: one OCCUPATION:LEVELS each
    id=$1 name=$2 kind=$3 category=$4 region=$5
    shift 5
    [ -f "$out/orgs/$id.key" ] || $q org keygen --id "$id" --out "$out/orgs" >/dev/null
    if $q org show "$id" >/dev/null 2>&1; then
        echo "机构 $id 已登记"
    else
        certify=""
        for c in "$@"; do certify="$certify --certify $c"; done
        # shellcheck disable=SC2086 # one --certify per occupation, split on purpose
        $q org add --id "$id" --name "$name" --kind "$kind" --category "$category" --region "$region" \
            $certify --public-key "$out/orgs/$id.pub" >/dev/null
        echo "已登记 $id $name（认定范围 $*）"
    fi
}
pin_bureau() { # id: on the organisation's side, pin the bureau keys checked against the pin
    $q org pin --org-key "$out/orgs/$1.key" --bureau-key "$out/catalog/bureau.pub" \
        --fingerprint "$pin" >/dev/null
}
register S000032100001 南京金陵职业技能培训学校 S training 江苏省南京市 6-31-01-03:5,4,3 6-18-01-01:5,4 S3200001
register Y000132050002 苏州恒达电气设备有限公司 Y enterprise 江苏省苏州市 6-31-01-03:5,4
register S000032020003 无锡技师学院 S school 江苏省无锡市 6-31-01-03:5,4,3,2,1 6-18-01-01:5,4
$q catalog publish --out "$out/catalog" >/dev/null
for org in S000032100001 Y000132050002 S000032020003; do pin_bureau $org; done

$q sitting "$plan" --out "$out/sitting"
$q release "$sitting" --out "$out/sitting/release.json"
# During the sitting an organisation holds the papers release only: its answer keys stay shut.
early_org=S000032100001
rm -rf "$out/papers-only"
$q unseal "$out/sitting/packages/$early_org.qpkg" --org-key "$out/orgs/$early_org.key" \
    --release "$out/sitting/release.json" --bureau-key "$out/sitting/bureau.pub" \
    --out "$out/papers-only/$early_org" | tail -2
if [ -n "$(find "$out/papers-only" -name 'key.*')" ]; then
    echo "错误：仅凭试卷发布就开启了答案文件" >&2
    exit 1
fi
echo "仅凭试卷发布：$out/papers-only/$early_org 中没有任何答案文件（key.*），答案部分保持密封"
$q release "$sitting" --keys --out "$out/sitting/keys-release.json"
for org in S000032100001 Y000132050002 S000032020003; do
    # opened before (a second run): open again beside it and keep the old folder, with its
    # printed PDFs, when every document is byte for byte the same
    to="$out/unsealed/$org"
    [ -d "$to" ] && to="$out/.reopened/$org"
    rm -rf "$to"
    $q unseal "$out/sitting/packages/$org.qpkg" --org-key "$out/orgs/$org.key" \
        --release "$out/sitting/release.json" --keys-release "$out/sitting/keys-release.json" \
        --bureau-key "$out/sitting/bureau.pub" --out "$to" | tail -1
    if [ "$to" != "$out/unsealed/$org" ]; then
        if diff -r -x '*.pdf' "$to" "$out/unsealed/$org" >/dev/null; then
            echo "再次解封 $org：与 $out/unsealed/$org 逐字节相同，保留已打印的 PDF"
            rm -rf "$to"
        else
            rm -rf "$out/unsealed/$org"
            mv "$to" "$out/unsealed/$org"
        fi
    fi
done
rm -rf "$out/.reopened"
# what organisations print and archive: every opened document (and the public catalog) as an A4 PDF
# (needs Chromium; without one qbank says how to get it and the demo goes on with the HTML)
$q pdf "$out/unsealed" "$out/catalog/catalog.html" | tail -1

# 机考 at 南京金陵 on its 四级 theory copy as opened with the papers release (no key on the exam
# machine during the sitting): 40 candidates on the roster, 38 sit (simulated browsers), the
# results are scored with the keys once open, sealed to the bureau, and analysed in the vault.
exam=$out/exam
copy=$out/papers-only/$early_org/dg4-theory/F01
if [ -f "$exam/results.qres" ]; then
    echo "机考已完成：$exam/results.qres（成绩已加密给鉴定中心并已分析）"
else
    rm -rf "$exam"
    $q exam init --copy "$copy" --roster "banks/sittings/roster-$early_org-dg4.csv" --db "$exam/exam.db"
    port=${QBANK_EXAM_PORT:-18080}
    $q exam serve --db "$exam/exam.db" --copy "$copy" --listen "127.0.0.1:$port" >"$exam/serve.log" 2>&1 &
    server=$!
    trap 'kill "$server" 2>/dev/null || true' EXIT
    i=0
    until grep -q "机考服务已启动" "$exam/serve.log"; do
        i=$((i + 1))
        if [ $i -gt 300 ] || ! kill -0 "$server" 2>/dev/null; then
            cat "$exam/serve.log" >&2
            exit 1
        fi
        sleep 0.1
    done
    head -1 "$exam/serve.log"
    cargo run --release --quiet --example exam-candidates -- "http://127.0.0.1:$port" \
        "banks/sittings/roster-$early_org-dg4.csv" "$out/unsealed/$early_org/dg4-theory/F01" 2 20261128
    # a power cut after the last answer: every answer was on disk before it was acknowledged
    kill -9 "$server"
    wait "$server" 2>/dev/null || true
    trap - EXIT
    $q exam export --db "$exam/exam.db" --copy "$copy" --key "$out/unsealed/$early_org/dg4-theory/F01" \
        --org-key "$out/orgs/$early_org.key" --out "$exam/results.qres" --sheets "$exam/sheets"
    # the bureau's side: the sealed results go straight into item analysis, without retyping
    $q analysis "$exam/results.qres" --report "$exam/analysis.html" | head -3
    $q pdf "$exam/sheets/summary.html" | tail -1
fi
# The crossing to the portal (qbank-portal): the vault writes the signed outbox (catalog,
# packages, releases, an enrolment code for 南京金陵's administrator), the portal imports it;
# the administrator enrols with the letter's code, makes an evaluator, who downloads the
# package and the papers release; the administrator uploads the sealed 机考 results; the
# portal's inbox goes back into the vault, whose analysis takes them in; the next outbox
# carries the receipt back, and the portal shows it. Plain HTTP on loopback only (curl as the
# browser); in production the portal runs behind TLS (README, "门户").
portal=$out/portal
if [ -f "$portal/done" ]; then
    echo "门户往返已完成：$portal（数据包与回传包见 $portal/exchange）"
else
    rm -rf "$portal"
    mkdir -p "$portal/exchange"
    p=target/release/qbank-portal
    $q portal outbox --out "$portal/exchange/outbox-1.qbx" --packages "$out/sitting/packages" \
        --enrol "$early_org" --letters "$portal/letters"
    $p --dir "$portal/site" init --bureau-key "$out/catalog/bureau.pub" --pin "$pin" --insecure-cookies \
        | tee "$portal/init.txt"
    $p --dir "$portal/site" import "$portal/exchange/outbox-1.qbx"
    pport=${QBANK_PORTAL_PORT:-18090}
    $p --dir "$portal/site" serve --listen "127.0.0.1:$pport" >"$portal/serve.log" 2>&1 &
    pserver=$!
    trap 'kill "$pserver" 2>/dev/null || true' EXIT
    i=0
    until grep -q "门户服务已启动" "$portal/serve.log"; do
        i=$((i + 1))
        if [ $i -gt 300 ] || ! kill -0 "$pserver" 2>/dev/null; then
            cat "$portal/serve.log" >&2
            exit 1
        fi
        sleep 0.1
    done
    base="http://127.0.0.1:$pport"
    code=$(grep -E '^ +[0-9A-Z]{6}-[0-9A-Z]{6}-[0-9A-Z]{6}$' "$portal/letters/$early_org-注册码.txt" | tr -d ' ')
    jar="$portal/admin.cookies"
    curl -sf -c "$jar" -o /dev/null -d "organisation=$early_org" -d "code=$code" -d login=jl-admin \
        -d name=李敏 -d password=金陵考点2026秋季 "$base/enrol"
    csrf=$(curl -sf -b "$jar" "$base/home" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
    curl -sf -b "$jar" -o /dev/null -d "csrf=$csrf" -d login=ev-zhao -d name=赵强 -d role=evaluator \
        -d password=考评员初始密码2026 "$base/users"
    ejar="$portal/evaluator.cookies"
    curl -sf -c "$ejar" -o /dev/null -d login=ev-zhao -d password=考评员初始密码2026 "$base/login"
    mkdir -p "$portal/download"
    curl -sf -b "$ejar" -o "$portal/download/$early_org.qpkg" "$base/packages/$sitting/$early_org.qpkg"
    curl -sf -b "$ejar" -o "$portal/download/papers.json" "$base/releases/$sitting/papers.json"
    cmp "$portal/download/$early_org.qpkg" "$out/sitting/packages/$early_org.qpkg"
    # another organisation's package, by its direct address: refused
    status=$(curl -s -b "$ejar" -o /dev/null -w '%{http_code}' "$base/packages/$sitting/Y000132050002.qpkg")
    [ "$status" = 403 ] || { echo "错误：考评员取得了其他机构的封装包（$status）" >&2; exit 1; }
    # the evaluator opens the download offline, as the page's instructions say
    $q unseal "$portal/download/$early_org.qpkg" --org-key "$out/orgs/$early_org.key" \
        --release "$portal/download/papers.json" --out "$portal/download/opened" | tail -1
    echo "考评员 ev-zhao 从门户下载了本机构的封装包与试卷发布并在本机解封；其他机构的封装包被拒绝（HTTP $status）"
    curl -sf -b "$jar" -o /dev/null -F "csrf=$csrf" -F "file=@$exam/results.qres" "$base/upload"
    $p --dir "$portal/site" inbox --out "$portal/exchange/inbox-1.qbx"
    fp=$(sed -n 's/.*指纹 \([0-9a-f]*\).*/\1/p' "$portal/init.txt")
    $q portal pin --key "$portal/site/portal.pub" --fingerprint "$fp"
    $q portal inbox "$portal/exchange/inbox-1.qbx" --report "$portal/analysis.html"
    $q portal outbox --out "$portal/exchange/outbox-2.qbx" --packages "$out/sitting/packages" | head -1
    $p --dir "$portal/site" import "$portal/exchange/outbox-2.qbx"
    if curl -sf -b "$jar" "$base/home" | grep -q "鉴定中心已接收"; then
        echo "门户显示：第 1 号上传（机考成绩）鉴定中心已接收"
    else
        echo "错误：门户未显示上传的处理结果" >&2
        exit 1
    fi
    kill "$pserver"
    wait "$pserver" 2>/dev/null || true
    trap - EXIT
    $p --dir "$portal/site" verify-log
    touch "$portal/done"
fi
$q audit verify --anchor "$out/sitting/release.json" --anchor "$out/sitting/keys-release.json"

echo
echo "封装包：    $out/sitting/packages/<机构>.qpkg（公开摘要 $out/sitting/sitting.json）"
echo "签名发布：  $out/sitting/release.json（试卷，开考起）、$out/sitting/keys-release.json（答案与评分标准，考试结束起）；鉴定中心公钥 $out/sitting/bureau.pub"
echo "仅试卷：    $out/papers-only/$early_org（只凭试卷发布解封：没有 key.*）"
echo "可打印试卷：$out/unsealed/<机构>/<组卷方案>/Fnn/*.pdf、*.html、*.md（按各机构解封所得）"
echo "公开目录：  $out/catalog/catalog.html、catalog.csv、catalog.json"
echo "机考：      $exam/exam.db（考试记录，哈希链）、$exam/results.qres（加密给鉴定中心的成绩与作答）、$exam/sheets/（成绩单）、$exam/analysis.html（试题分析）"
