#!/usr/bin/env python3
"""Writes the seed corpora in tests/fuzz/corpus/<target>/: a few small, valid
examples per fuzz target. Archives in formats Python cannot write (7z, cpio,
iso) are made with libarchive through ctypes. Run from anywhere; idempotent."""
import bz2, ctypes, gzip, io, lzma, os, tarfile, zipfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

CSV = ("氏名,個人番号,電話番号,メール\n"
       "山田 太郎,972281866208,03-0000-1111,taro.yamada@example.jp\n"
       "\"佐藤, 花子\",\"1164-1045-7502\",090-0000-2222,\"a\"\"b@example.jp\"\n").encode()
TSV = "name\tmy_number\tcard\nA\t972281866208\t4111111111111111\n".encode()
JSONL = ('{"id":1,"person":{"ids":{"mynumber":"972281866208"}},"tel":"03-0000-1111"}\n'
         '{"id":2,"emails":["x@example.jp",null,true,1.5e3],"iban":"GB82WEST12345698765432"}\n').encode()
JSON = ('{"records":[{"個人番号":"６６８５９６６０８８８５","note":"マイナンバー 1164-1045-7502"},'
        '{"ip":"192.0.2.1","v6":"2001:db8::1","ssn":"078-05-1120"}],"ok":false}').encode()
TEXT = ("面談記録\n個人番号：９７２２ ８１８６ ６２０８\nmy number 1164-1045-7502\n"
        "card 4111 1111 1111 1111 mail taro@example.jp tel 090-1234-5678\n"
        "passport TK1234567 privaudit:allow 972281866208\n").encode()
LOG = b"2026-11-23T08:00:14 INFO user_mynumber=972281866208 order_id=202611230417 ip=10.0.0.1\n"

def put(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

def zip_bytes(members):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in members:
            z.writestr(n, d)
    return b.getvalue()

def tar_bytes(members, mode="w"):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode=mode) as t:
        for n, d in members:
            info = tarfile.TarInfo(n)
            info.size = len(d)
            info.mtime = 1700000000
            t.addfile(info, io.BytesIO(d))
    return b.getvalue()

def libarchive_bytes(fmt, members):
    la = ctypes.CDLL("libarchive.so.13")
    la.archive_write_new.restype = ctypes.c_void_p
    la.archive_entry_new.restype = ctypes.c_void_p
    for f in ("archive_write_set_format_by_name", "archive_write_open_memory", "archive_write_header",
              "archive_write_close", "archive_write_free", "archive_write_data"):
        getattr(la, f).argtypes = None
    a = ctypes.c_void_p(la.archive_write_new())
    la.archive_write_set_format_by_name(a, fmt.encode())
    buf = ctypes.create_string_buffer(1 << 20)
    used = ctypes.c_size_t(0)
    la.archive_write_open_memory(a, buf, ctypes.c_size_t(len(buf)), ctypes.byref(used))
    for n, d in members:
        e = ctypes.c_void_p(la.archive_entry_new())
        la.archive_entry_set_pathname(e, n.encode())
        la.archive_entry_set_filetype(e, 0o100000)
        la.archive_entry_set_perm(e, 0o644)
        la.archive_entry_set_size(e, ctypes.c_int64(len(d)))
        la.archive_write_header(a, e)
        la.archive_write_data(a, d, ctypes.c_size_t(len(d)))
        la.archive_entry_free(e)
    la.archive_write_close(a)
    la.archive_write_free(a)
    return buf.raw[:used.value]

def xlsx_bytes():
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}><sheetData>'
             '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>mail</t></is></c></row>'
             '<row r="2"><c r="A2"><v>9.72281866208E+11</v></c><c r="B2" t="s"><v>1</v></c></row>'
             '</sheetData></worksheet>')
    sst = (f'<?xml version="1.0" encoding="UTF-8"?><sst {ns}><si><t>個人番号</t></si>'
           '<si><r><t>taro@</t></r><r><t>example.jp</t></r></si></sst>')
    wb = (f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
          '<sheets><sheet name="名簿" sheetId="1" r:id="rId1"/></sheets></workbook>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships '
            'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types '
             'xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
    return zip_bytes([("[Content_Types].xml", types.encode()), ("xl/workbook.xml", wb.encode()),
                      ("xl/_rels/workbook.xml.rels", rels.encode()),
                      ("xl/worksheets/sheet1.xml", sheet.encode()), ("xl/sharedStrings.xml", sst.encode())])

def main():
    put("fuzz_rules", "one_rule.json", b'{"rules":[{"id":"x-num","name":"X","severity":"high",'
        b'"patterns":["\\\\bX\\\\d{6}\\\\b"],"context":["x id"],"tags":["t"],'
        b'"examples":{"match":["X123456"],"no_match":["X12"]}}]}')
    put("fuzz_rules", "digits_rule.json", b'{"rules":[{"id":"my","name":"My","severity":"critical",'
        b'"digits":{"lengths":[12],"groupings":[[4,4,4]]},"validator":"my_number",'
        b'"evidence_required":true,"context":["mynumber"],"context_negative":["order"],'
        b'"references":["https://example.org"],"message":"m",'
        b'"examples":{"match":["972281866208"],"no_match":["972281866209"]}}]}')
    put("fuzz_rules", "matcher_rule.json", b'{"rules":[{"id":"mail","name":"E","severity":"low",'
        b'"matcher":"email","examples":{"match":["a@b.jp"],"no_match":["a@"]}}]}')

    put("fuzz_csv", "residents.csv", CSV)
    put("fuzz_csv", "ids.tsv", TSV)
    put("fuzz_csv", "semicolon.csv", b"a;b;c\n1;\"2;3\";972281866208\r\n4;5\n")
    put("fuzz_csv", "sjis.csv", CSV.decode().encode("cp932"))

    put("fuzz_json", "export.jsonl", JSONL)
    put("fuzz_json", "doc.json", JSON)
    put("fuzz_json", "bad_line.jsonl", b'{"a":1}\n{"b":\n{"my_number":"972281866208"}\n')

    put("fuzz_text", "memo.txt", TEXT)
    put("fuzz_text", "app.log", LOG)
    put("fuzz_text", "sjis.txt", TEXT.decode().encode("cp932"))
    put("fuzz_text", "utf16.txt", b"\xff\xfe" + TEXT.decode().encode("utf-16-le"))

    put("fuzz_encoding", "utf8.txt", TEXT)
    put("fuzz_encoding", "sjis.txt", TEXT.decode().encode("cp932"))
    put("fuzz_encoding", "eucjp.txt", TEXT.decode().encode("euc_jp"))
    put("fuzz_encoding", "utf16be.txt", b"\xfe\xff" + TEXT.decode().encode("utf-16-be"))
    put("fuzz_encoding", "utf16le_nobom.txt", "個人番号 972281866208".encode("utf-16-le"))
    put("fuzz_encoding", "broken.txt", b"ok \xe4\xb8 \xff\xfe \xed\xa0\x80 \xf4\x90\x80\x80 end")

    members = [("members.csv", CSV), ("logs/app.log", LOG), ("../../etc/passwd", TEXT)]
    # fuzz_archive: the first byte picks the name (see fuzz_archive.cpp):
    # 0 zip, 1 tar.gz, 2 csv.gz, 3 xlsx, 4 7z, 5 jsonl.xz, 6 bin, 7 tar.
    put("fuzz_archive", "zip", b"\x00" + zip_bytes(members))
    put("fuzz_archive", "tar_gz", b"\x01" + gzip.compress(tar_bytes(members), mtime=0))
    put("fuzz_archive", "csv_gz", b"\x02" + gzip.compress(CSV, mtime=0))
    put("fuzz_archive", "xlsx", b"\x03" + xlsx_bytes())
    put("fuzz_archive", "7z", b"\x04" + libarchive_bytes("7zip", members))
    put("fuzz_archive", "jsonl_xz", b"\x05" + lzma.compress(JSONL))
    put("fuzz_archive", "cpio", b"\x06" + libarchive_bytes("cpio", members))
    put("fuzz_archive", "tar_bz2", b"\x07" + bz2.compress(tar_bytes(members)))
    put("fuzz_archive", "nested_zip", b"\x00" + zip_bytes([("inner.tar.gz", gzip.compress(tar_bytes(members), mtime=0)),
                                                          ("book.xlsx", xlsx_bytes())]))

    put("fuzz_xlsx", "book.xlsx", xlsx_bytes())

    ledger = open(os.path.join(os.path.dirname(ROOT), "..", "..", "examples", "consent", "ledger.jsonl"), "rb").read()
    put("fuzz_ledger", "ledger.jsonl", ledger)
    put("fuzz_ledger", "receipt.json", open(os.path.join(os.path.dirname(ROOT), "..", "..", "examples",
                                                         "consent", "receipt.json"), "rb").read())
    put("fuzz_ledger", "array.json", b'[{"kind":"consent","subject":"p1","purpose":"x","state":"given",'
        b'"at":"2024-04-01","validity":"P1Y2M3DT4H"},{"kind":"consent","subject":"p1","purpose":"x",'
        b'"state":"https://w3id.org/dpv#ConsentWithdrawn","at":"2024-06-01T12:00:00.5+0900"}]')

if __name__ == "__main__":
    main()
