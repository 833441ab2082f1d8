package text_test

import (
	"net/url"
	"testing"
	"time"

	"harambee.africa/harambee/internal/text"
)

var now = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

func TestFallback(t *testing.T) {
	tx := text.New("fr", "Boutique en ligne", "p1", now)
	if s, l := tx.In("sw"); s != "Boutique en ligne" || l != "fr" {
		t.Fatalf("no English: %q %q", s, l)
	}
	tx.Versions["en"] = text.Version{Text: "Online shop", By: "p2", At: now}
	if s, l := tx.In("sw"); s != "Online shop" || l != "en" {
		t.Fatalf("English fallback: %q %q", s, l)
	}
	tx.Versions["sw"] = text.Version{Text: "Duka la mtandaoni", By: "p3", At: now}
	if s, _ := tx.In("sw"); s != "Duka la mtandaoni" {
		t.Fatalf("own language: %q", s)
	}
	if s, _ := tx.In("zh-Hans"); s != "Online shop" {
		t.Fatalf("zh falls back to English: %q", s)
	}
}

func TestRoundTrip(t *testing.T) {
	tx := text.New("ar", "متجر إلكتروني", "p1", now)
	v, err := tx.Value()
	if err != nil {
		t.Fatal(err)
	}
	var back text.Text
	if err := back.Scan(v); err != nil || back.String() != "متجر إلكتروني" || back.Original != "ar" {
		t.Fatalf("%+v %v", back, err)
	}
}

func TestFromForm(t *testing.T) {
	prev := text.New("pt", "Loja", "author", now.Add(-time.Hour))
	vals := url.Values{"name.original": {"pt"}, "name.pt": {"Loja"}, "name.en": {"Shop"}, "name.zh-Hans": {"  "}}
	got, errs := text.FromForm(vals, "name", prev, text.Limits{Required: true, Max: 10}, "translator", now)
	if errs != nil {
		t.Fatal(errs)
	}
	if got.Versions["pt"].By != "author" || got.Versions["en"].By != "translator" {
		t.Fatalf("authorship: %+v", got.Versions)
	}
	if _, ok := got.Versions["zh-Hans"]; ok {
		t.Fatal("a blank version was kept")
	}
	_, errs = text.FromForm(url.Values{"name.original": {"pt"}, "name.en": {"Shop"}}, "name", text.Text{}, text.Limits{Required: true}, "x", now)
	if errs["name.pt"] != "text.error.required" {
		t.Fatalf("missing original: %v", errs)
	}
	_, errs = text.FromForm(url.Values{"name.original": {"tlh"}}, "name", text.Text{}, text.Limits{}, "x", now)
	if errs["name"] != "text.error.original" {
		t.Fatalf("unknown original language: %v", errs)
	}
	_, errs = text.FromForm(url.Values{"name.original": {"en"}, "name.en": {"far too long for ten"}}, "name", text.Text{}, text.Limits{Max: 10}, "x", now)
	if errs["name.en"] != "text.error.long" {
		t.Fatalf("too long: %v", errs)
	}
}
