package cldr_test

import (
	"fmt"
	"time"

	"harambee.africa/harambee/internal/i18n/cldr"
)

func Example() {
	nairobi := time.FixedZone("EAT", 3*3600)
	t := time.Date(2026, time.November, 27, 14, 5, 0, 0, time.UTC)

	fr := cldr.For("fr-SN")
	fmt.Println(fr.DateTimeWith(t, nairobi, cldr.Medium, cldr.Short))
	fmt.Println(fr.Date(t, nairobi, cldr.Full))
	fmt.Printf("%q\n", fr.Number(1234567.891, 2))
	fmt.Printf("%q\n", fr.Money(123450, "KES"))

	sw := cldr.For("sw")
	fmt.Printf("%s %q\n", sw.Date(t, nairobi, cldr.Long), sw.Money(123450, "KES"))
	// Output:
	// 27 nov. 2026, 17:05
	// vendredi 27 novembre 2026
	// "1\u202f234\u202f567,89"
	// "1\u202f234,50\u00a0KES"
	// 27 Novemba 2026 "Ksh\u00a01,234.50"
}
