package directory

import (
	"fmt"

	"kechuang/internal/pii"
	"kechuang/internal/sqldb"
)

// The directory's columns of personal data, sealed at rest (package pii).
var (
	institutionPhone = pii.Column{Table: "institutions", Name: "contact_phone"}
	institutionEmail = pii.Column{Table: "institutions", Name: "contact_email"}
	expertPhone      = pii.Column{Table: "experts", Name: "phone"}
	expertEmail      = pii.Column{Table: "experts", Name: "email"}
	carrierPhone     = pii.Column{Table: "carriers", Name: "contact_phone"}
	carrierEmail     = pii.Column{Table: "carriers", Name: "contact_email"}
	serviceOrgPhone  = pii.Column{Table: "service_orgs", Name: "contact_phone"}
	serviceOrgEmail  = pii.Column{Table: "service_orgs", Name: "contact_email"}
	fundPhone        = pii.Column{Table: "funds", Name: "contact_phone"}
	fundEmail        = pii.Column{Table: "funds", Name: "contact_email"}
)

// SealedColumns are the directory's columns holding personal data: the
// wiring seals their legacy plain text at start (pii.SealAll).
var SealedColumns = []pii.Column{institutionPhone, institutionEmail, expertPhone, expertEmail, carrierPhone, carrierEmail,
	serviceOrgPhone, serviceOrgEmail, fundPhone, fundEmail}

// sealedRecord is a record with personal data sealed at rest; getOne,
// findPage and queryAll open it after scanning, with the keyring of the
// database they read.
type sealedRecord interface{ openSealed(k *pii.Keyring) error }

func openSealed[T any](q sqldb.Querier, x *T) error {
	if r, ok := any(x).(sealedRecord); ok {
		return r.openSealed(pii.From(q))
	}
	return nil
}

func openContact(k *pii.Keyring, what string, id int64, c *Contact, phone, email pii.Column) error {
	if err := k.OpenAll(phone, &c.Phone, email, &c.Email); err != nil {
		return fmt.Errorf("%s %d contact: %w", what, id, err)
	}
	return nil
}

func (i *Institution) openSealed(k *pii.Keyring) error {
	return openContact(k, "institution", i.ID, &i.Contact, institutionPhone, institutionEmail)
}

func (c *Carrier) openSealed(k *pii.Keyring) error {
	return openContact(k, "carrier", c.ID, &c.Contact, carrierPhone, carrierEmail)
}

func (o *ServiceOrg) openSealed(k *pii.Keyring) error {
	return openContact(k, "service organisation", o.ID, &o.Contact, serviceOrgPhone, serviceOrgEmail)
}

func (f *Fund) openSealed(k *pii.Keyring) error {
	return openContact(k, "fund", f.ID, &f.Contact, fundPhone, fundEmail)
}

func (e *Expert) openSealed(k *pii.Keyring) error {
	if err := k.OpenAll(expertPhone, &e.Phone, expertEmail, &e.Email); err != nil {
		return fmt.Errorf("expert %d contact: %w", e.ID, err)
	}
	return nil
}
