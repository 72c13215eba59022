"""Reading real-world-shaped files: encodings, delimiters, quoting, Excel cells, vCards, garbage."""

from __future__ import annotations

import codecs
import datetime as dt
from pathlib import Path

import pytest

from crm_desktop.dataio.mapping import FULL_NAME, guess_mapping, targets
from crm_desktop.dataio.readers import ReadError, cell_text, decode, read_table, sniff_delimiter
from crm_protocol.records import ACCOUNT, CONTACT
from tests.dataio.conftest import DATA


def test_google_csv_keeps_quoted_newlines_and_line_numbers() -> None:
    table = read_table(DATA / "google_contacts.csv")
    assert table.format == "csv" and table.encoding == "utf-8" and table.delimiter == ","
    lines = [line for line, _ in table.rows]
    # Line 2's notes span two lines, so the next row starts on line 5; line 7 is blank.
    assert lines == [2, 5, 6, 8]
    assert table.blank_rows == 1
    notes = table.headers.index("Notes")
    assert table.rows[0][1][notes] == "Met at the expo.\nWants a demo in May."


def test_google_headers_are_guessed() -> None:
    table = read_table(DATA / "google_contacts.csv")
    mapping = {table.headers[c]: t for c, t in guess_mapping(CONTACT, table.headers).items()}
    assert mapping["Given Name"] == "first_name"
    assert mapping["Family Name"] == "last_name"
    assert mapping["E-mail 1 - Value"] == "email"
    assert mapping["E-mail 2 - Value"] == "email2"
    assert mapping["Phone 1 - Value"] == "phone"
    assert mapping["Organization 1 - Name"] == "account_id"
    assert mapping["Organization 1 - Title"] == "title"
    # First and last are mapped separately, so the combined "Name" is left out.
    assert "Name" not in mapping
    assert "E-mail 1 - Type" not in mapping


def test_outlook_utf16_and_its_title_column() -> None:
    raw = (DATA / "outlook_contacts_utf16.csv").read_bytes()
    assert raw.startswith(codecs.BOM_UTF16_LE)
    table = read_table(DATA / "outlook_contacts_utf16.csv")
    assert table.encoding == "utf-16"
    assert table.rows[0][1][1:4] == ["Jürgen", "", "Müller"]
    mapping = {table.headers[c]: t for c, t in guess_mapping(CONTACT, table.headers).items()}
    # Outlook's "Title" is Mr/Ms: "Job Title" must win the job title field.
    assert mapping["Job Title"] == "title" and "Title" not in mapping
    assert mapping["Company"] == "account_id"
    assert mapping["E-mail Address"] == "email"
    assert mapping["Mobile Phone"] == "mobile"


def test_utf16_without_bom(tmp_path: Path) -> None:
    path = tmp_path / "no-bom.csv"
    path.write_bytes("First Name\tLast Name\r\nZoë\tÅngström\r\n".encode("utf-16-le"))
    table = read_table(path)
    assert table.encoding == "utf-16-le" and table.delimiter == "\t"
    assert table.rows == [(2, ["Zoë", "Ångström"])]


def test_gbk_is_detected() -> None:
    table = read_table(DATA / "gbk_contacts.csv")
    assert table.encoding == "gb18030"
    assert table.rows[0][1][0] == "张伟"
    mapping = guess_mapping(CONTACT, table.headers)
    assert mapping[0] == FULL_NAME and mapping[1] == "account_id" and mapping[3] == "mobile"


def test_cp1252_with_semicolons() -> None:
    table = read_table(DATA / "cp1252_semicolon.csv")
    assert table.encoding == "cp1252" and table.delimiter == ";"
    assert table.rows[0][1][:3] == ["François", "Lefèvre", "Café Crème SARL"]
    mapping = {table.headers[c]: t for c, t in guess_mapping(CONTACT, table.headers).items()}
    assert mapping == {"Vorname": "first_name", "Nachname": "last_name", "Firma": "account_id",
                       "E-Mail": "email", "Telefon": "phone", "Stadt": "city"}


def test_utf8_bom_and_forced_encoding(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + "Name,Email\nÅsa Berg,asa@example.se\n".encode())
    table = read_table(path)
    assert table.headers == ["Name", "Email"] and table.encoding == "utf-8-sig"
    forced = read_table(path, encoding="latin-1")
    assert forced.rows[0][1][0] != "Åsa Berg"
    with pytest.raises(ReadError, match="not valid utf-16"):
        decode(b"abc", "utf-16")


def test_ragged_rows_are_padded_or_reported(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("First Name,Last Name,Email\nAnn,Lee\nBob,Stone,bob@example.com,,\nCid,Moe,c@x.com,extra\n")
    table = read_table(path)
    assert table.rows == [(2, ["Ann", "Lee", ""]), (3, ["Bob", "Stone", "bob@example.com"])]
    assert len(table.problems) == 1 and table.problems[0].line == 4
    assert "4 values but the header has 3 columns" in table.problems[0].message
    assert table.problems[0].cells == ("Cid", "Moe", "c@x.com", "extra")  # kept, not lost


def test_duplicate_and_blank_headers_stay_addressable(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("Phone,Phone,,x\n1,2,3,4\n")
    assert read_table(path).headers == ["Phone", "Phone (2)", "Column 3", "x"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"\n\n  \n", "no rows"),
        (bytes(range(256)) * 40, "not a text file"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00\x01\x02" * 500, "not a text file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel"),
        (b"PK\x03\x04garbage-not-a-zip", "not a readable Excel"),
    ],
)
def test_bad_files_get_a_clear_message(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(ReadError, match=message):
        read_table(path)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="does not exist"):
        read_table(tmp_path / "nope.csv")
    with pytest.raises(ReadError, match="is a folder"):
        read_table(tmp_path)


def test_delimiter_sniffing() -> None:
    assert sniff_delimiter("a;b;c\n1;2;3\n") == ";"
    assert sniff_delimiter("a\tb\n1\t2\n") == "\t"
    assert sniff_delimiter('name,notes\n"Lee; Ann","x; y; z"\n') == ","
    assert sniff_delimiter("a|b|c\n1|2|3\n") == "|"


def test_excel_dates_numbers_and_booleans() -> None:
    table = read_table(DATA / "salesforce_contacts.xlsx")
    assert table.format == "xlsx"
    first = dict(zip(table.headers, table.rows[0][1], strict=True))
    assert first["Phone"] == "4155550111"  # a number cell, not 4155550111.0
    assert first["Created Date"] == "2024-03-01"
    assert first["Score"] == "12.5"
    assert first["Shared"] == "true"
    second = dict(zip(table.headers, table.rows[1][1], strict=True))
    assert second["Mailing Zip/Postal Code"] == "02134"
    assert second["Created Date"] == "2024-03-02 14:30:00"
    assert [line for line, _ in table.rows] == [2, 3, 5, 6]
    assert cell_text(dt.date(2020, 1, 2)) == "2020-01-02"
    assert cell_text(3.0) == "3" and cell_text(None) == ""


def test_vcards_of_every_version() -> None:
    table = read_table(DATA / "address_book.vcf")
    assert table.format == "vcard"
    rows = {line: dict(zip(table.headers, cells, strict=True)) for line, cells in table.rows}
    v21 = rows[1]
    assert (v21["First name"], v21["Last name"]) == ("Jürgen", "Müller")  # quoted-printable UTF-8
    assert v21["Mobile phone"] == "+49 151 2345 6789" and v21["Work phone"] == "+49 30 1234567"
    v3 = rows[10]
    assert v3["Email 1"] == "johnny@example.com"  # the preferred one first
    assert v3["Email 2"] == "johnny.appleseed@apple.example" and v3["Email 3"] == "ja@third.example"
    assert v3["Country"] == "United States"  # a folded line
    assert v3["Note"].endswith("seventy-five octets, and this one is longer.")
    assert v3["Organization"] == "Apple Inc."
    v4 = rows[29]
    assert v4["Mobile phone"] == "+1-202-555-0100"  # the tel: URI of vCard 4.0
    # The card cut off at the end of the file is reported, not lost.
    assert [(p.line, "END:VCARD" in p.message) for p in table.problems] == [(41, True)]


def test_account_targets_and_guess() -> None:
    keys = [t.key for t in targets(ACCOUNT)]
    assert FULL_NAME not in keys and "phone_e164" not in keys
    mapping = guess_mapping(ACCOUNT, ["Account Name", "Website", "Billing City", "Account Owner", "Industry"])
    assert mapping == {0: "name", 1: "website", 2: "city", 3: "owner_id", 4: "industry"}


def test_excel_reads_the_sheet_with_data(tmp_path: Path) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.title = "Notes"  # saved on an empty sheet
    data = workbook.create_sheet("Contacts")
    data.append(["First Name", "Last Name"])
    data.append(["Ann", "Lee"])
    path = tmp_path / "book.xlsx"
    workbook.save(path)
    table = read_table(path)
    assert (table.sheet, table.headers, table.rows) == ("Contacts", ["First Name", "Last Name"], [(2, ["Ann", "Lee"])])
    empty = openpyxl.Workbook()
    empty.save(tmp_path / "empty.xlsx")
    with pytest.raises(ReadError, match="Every worksheet of empty.xlsx is empty"):
        read_table(tmp_path / "empty.xlsx")
