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
#   7. the audit log is verified: chained, signed by the bureau, every change after the
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
$q audit verify --anchor "$out/sitting/release.json" --anchor "$out/sitting/keys-release.json"

echo
echo "封装包：    $out/sitting/packages/<机构>.qpkg（公开摘要 $out/sitting/sitting.json）"
echo "签名发布：  $out/sitting/release.json（试卷，开考起）、$out/sitting/keys-release.json（答案与评分标准，考试结束起）；鉴定中心公钥 $out/sitting/bureau.pub"
echo "仅试卷：    $out/papers-only/$early_org（只凭试卷发布解封：没有 key.*）"
echo "可打印试卷：$out/unsealed/<机构>/<组卷方案>/Fnn/*.pdf、*.html、*.md（按各机构解封所得）"
echo "公开目录：  $out/catalog/catalog.html、catalog.csv、catalog.json"
echo "机考：      $exam/exam.db（考试记录，哈希链）、$exam/results.qres（加密给鉴定中心的成绩与作答）、$exam/sheets/（成绩单）、$exam/analysis.html（试题分析）"
