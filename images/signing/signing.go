// Package signing signs image digests and attaches signatures and in-toto attestations to a
// registry in the layout cosign reads: next to the image, the tag sha256-<hex>.sig holds
// simple-signing payloads with their signatures in a layer annotation, and sha256-<hex>.att holds
// DSSE envelopes of in-toto Statements. The same content is also pushed as OCI 1.1 referrers of
// the image (its subject), which the registry's referrers API lists, or, where a registry has
// none, the referrers tag sha256-<hex> that the client keeps (OCI distribution spec 1.1). A cosign
// key pair (cosign generate-key-pair) signs; the key and its password come in as bytes and are
// never written to a log or an error.
package signing

import (
	"bytes"
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/dsse"
	sigpayload "github.com/sigstore/sigstore/pkg/signature/payload"

	"dagger/fit-images/images/report"
)

// The names cosign gives to what it stores; cosign finds signatures and attestations by them.
const (
	SignatureAnnotation = "dev.cosignproject.cosign/signature"
	// PredicateTypeAnnotation is set on each attestation layer so a reader can pick a type without
	// opening every envelope.
	PredicateTypeAnnotation = "predicateType"
	SimpleSigningMediaType  = types.MediaType("application/vnd.dev.cosign.simplesigning.v1+json")
	DSSEMediaType           = types.MediaType("application/vnd.dsse.envelope.v1+json")
	InTotoPayloadType       = "application/vnd.in-toto+json"
	SignatureSuffix         = "sig"
	AttestationSuffix       = "att"
	// The artifact types of the referrers, the ones cosign gives its own (cosign verify
	// --experimental-oci11 looks signatures up by the first).
	SignatureArtifactType   = "application/vnd.dev.cosign.artifact.sig.v1+json"
	AttestationArtifactType = InTotoPayloadType
)

// ErrReferrer marks an error of the referrer push alone: the tags were written, so cosign's default
// lookup finds the signature or attestations; the caller decides whether a registry that refuses
// OCI 1.1 referrers stops it.
var ErrReferrer = errors.New("OCI referrer not stored")

// Signer signs with one private key.
type Signer struct {
	sv signature.SignerVerifier
}

// Load reads a PEM private key as cosign writes it (ENCRYPTED SIGSTORE PRIVATE KEY, or the older
// ENCRYPTED COSIGN PRIVATE KEY, decrypted with password; unencrypted PKCS#8, SEC 1 and PKCS#1 keys
// are read too). Its errors say what is wrong without quoting the key or the password.
func Load(privatePEM, password []byte) (*Signer, error) {
	// never nil: a nil password would skip the decryption and fail later with a parse error
	pw := append([]byte{}, password...)
	defer clear(pw) // the copy lives no longer than the decryption
	key, err := cryptoutils.UnmarshalPEMToPrivateKey(privatePEM, func(bool) ([]byte, error) { return pw, nil })
	if err != nil {
		if strings.Contains(err.Error(), "decrypt") {
			return nil, errors.New("cannot decrypt the signing key: wrong password (--signing-password) or not a cosign key")
		}
		return nil, fmt.Errorf("cannot read the signing key: not a PEM private key cosign writes (%s)", keyErrorKind(err))
	}
	sv, err := signature.LoadDefaultSignerVerifier(key)
	if err != nil {
		return nil, fmt.Errorf("cannot sign with this key: %w", err)
	}
	return &Signer{sv: sv}, nil
}

// keyErrorKind is a short description of a key parse error that cannot echo key material.
func keyErrorKind(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "PEM decoding failed"):
		return "no PEM block"
	case strings.Contains(msg, "unknown private key PEM file type"):
		return "unknown PEM type"
	}
	return "malformed key"
}

// PublicKeyPEM is the public key, PEM-encoded as cosign.pub is.
func (s *Signer) PublicKeyPEM() ([]byte, error) {
	pub, err := s.sv.PublicKey()
	if err != nil {
		return nil, err
	}
	return cryptoutils.MarshalPublicKeyToPEM(pub)
}

// Tag is the tag next to image under which cosign looks for its signatures (suffix "sig") or
// attestations ("att"): sha256-<hex>.<suffix>.
func Tag(image name.Digest, suffix string) (name.Tag, error) {
	h, err := v1.NewHash(image.DigestStr())
	if err != nil {
		return name.Tag{}, err
	}
	return image.Context().Tag(h.Algorithm + "-" + h.Hex + "." + suffix), nil
}

// Payload is the simple-signing payload cosign signs for image: the digest, and as the claimed
// identity the repository (or claimed, when given).
func Payload(image name.Digest, claimed string) ([]byte, error) {
	return json.Marshal(sigpayload.Cosign{Image: image, ClaimedIdentity: claimed})
}

// SignPayload is the payload of image and its signature (raw bytes).
func (s *Signer) SignPayload(image name.Digest, claimed string) (payload, sig []byte, err error) {
	if payload, err = Payload(image, claimed); err != nil {
		return nil, nil, err
	}
	sig, err = s.sv.SignMessage(bytes.NewReader(payload))
	return payload, sig, err
}

// Envelope is statement (an in-toto Statement) signed into a DSSE envelope (JSON).
func (s *Signer) Envelope(statement []byte) ([]byte, error) {
	return dsse.WrapSigner(s.sv, InTotoPayloadType).SignMessage(bytes.NewReader(statement))
}

// verifies tells whether sig is this key's signature of payload.
func (s *Signer) verifies(payload, sig []byte) bool {
	return s.sv.VerifySignature(bytes.NewReader(sig), bytes.NewReader(payload)) == nil
}

// opens tells whether envelope is a DSSE envelope this key signed.
func (s *Signer) opens(envelope []byte) bool {
	return dsse.WrapVerifier(s.sv).VerifySignature(bytes.NewReader(envelope), nil) == nil
}

// Sign signs image (which must be in the registry) and adds the signature to its .sig tag. The
// signatures of other keys already there stay; a signature of this key for the same payload is
// not added twice, so signing again (a retried release) changes nothing.
func (s *Signer) Sign(ctx context.Context, image name.Digest, claimed string, opts ...remote.Option) error {
	opts = append(opts, remote.WithContext(ctx))
	subject, err := remote.Head(image, opts...)
	if err != nil {
		return fmt.Errorf("cannot sign %s: the image is not in the registry: %w", image, err)
	}
	payload, sig, err := s.SignPayload(image, claimed)
	if err != nil {
		return fmt.Errorf("cannot sign %s: %w", image, err)
	}
	tag, err := Tag(image, SignatureSuffix)
	if err != nil {
		return err
	}
	layers, err := existing(tag, opts)
	if err != nil {
		return err
	}
	for _, l := range layers {
		if l.mediaType != SimpleSigningMediaType || !bytes.Equal(l.content, payload) {
			continue
		}
		if old, err := base64.StdEncoding.DecodeString(l.annotations[SignatureAnnotation]); err == nil && s.verifies(payload, old) {
			// already signed with this key: stored again as it is, which only adds the referrer
			// where an older signing left none
			return store(tag, layers, *subject, SignatureArtifactType, opts)
		}
	}
	layers = append(layers, layer{
		content: payload, mediaType: SimpleSigningMediaType,
		annotations: map[string]string{SignatureAnnotation: base64.StdEncoding.EncodeToString(sig)},
	})
	return store(tag, layers, *subject, SignatureArtifactType, opts)
}

// statementHead is what Attest reads of a Statement to check it before signing.
type statementHead struct {
	PredicateType string `json:"predicateType"`
	Subject       []struct {
		Digest map[string]string `json:"digest"`
	} `json:"subject"`
}

// Attest signs each statement (an in-toto Statement whose subjects include image) into a DSSE
// envelope and adds it to image's .att tag. An earlier attestation of this key with the same
// predicate type is replaced, so attesting again leaves one SBOM and one provenance, the newest;
// other keys' attestations stay.
func (s *Signer) Attest(ctx context.Context, image name.Digest, statements [][]byte, opts ...remote.Option) error {
	opts = append(opts, remote.WithContext(ctx))
	subject, err := remote.Head(image, opts...)
	if err != nil {
		return fmt.Errorf("cannot attest %s: the image is not in the registry: %w", image, err)
	}
	want := strings.TrimPrefix(image.DigestStr(), "sha256:")
	var fresh []layer
	replaced := map[string]bool{}
	for i, st := range statements {
		var h statementHead
		if err := json.Unmarshal(st, &h); err != nil || h.PredicateType == "" {
			return fmt.Errorf("attestation %d for %s is not an in-toto statement with a predicate type", i+1, image)
		}
		about := false
		for _, sub := range h.Subject {
			about = about || sub.Digest["sha256"] == want
		}
		if !about {
			// cosign verify-attestation would refuse it: say so before anything is pushed
			return fmt.Errorf("the %s attestation is not about %s: its subjects lack that digest", h.PredicateType, image.DigestStr())
		}
		env, err := s.Envelope(st)
		if err != nil {
			return fmt.Errorf("cannot sign the %s attestation of %s: %w", h.PredicateType, image, err)
		}
		replaced[h.PredicateType] = true
		fresh = append(fresh, layer{content: env, mediaType: DSSEMediaType, annotations: map[string]string{
			SignatureAnnotation: "", PredicateTypeAnnotation: h.PredicateType,
		}})
	}
	tag, err := Tag(image, AttestationSuffix)
	if err != nil {
		return err
	}
	old, err := existing(tag, opts)
	if err != nil {
		return err
	}
	var layers []layer
	for _, l := range old {
		if replaced[l.annotations[PredicateTypeAnnotation]] && s.opens(l.content) {
			continue
		}
		layers = append(layers, l)
	}
	return store(tag, append(layers, fresh...), *subject, AttestationArtifactType, opts)
}

// layer is one signature or attestation as stored: its bytes, media type and annotations.
type layer struct {
	content     []byte
	mediaType   types.MediaType
	annotations map[string]string
}

// existing are the layers under tag, none when the tag does not exist yet.
func existing(tag name.Tag, opts []remote.Option) ([]layer, error) {
	img, err := remote.Image(tag, opts...)
	if err != nil {
		var terr *transport.Error
		if errors.As(err, &terr) && terr.StatusCode == 404 {
			return nil, nil
		}
		return nil, fmt.Errorf("cannot read %s: %w", tag, err)
	}
	m, err := img.Manifest()
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", tag, err)
	}
	var out []layer
	for _, d := range m.Layers {
		l, err := img.LayerByDigest(d.Digest)
		if err != nil {
			return nil, fmt.Errorf("cannot read layer %s of %s: %w", d.Digest, tag, err)
		}
		rc, err := l.Compressed()
		if err != nil {
			return nil, fmt.Errorf("cannot read layer %s of %s: %w", d.Digest, tag, err)
		}
		b, err := io.ReadAll(rc)
		_ = rc.Close() // read fully; a close error changes nothing
		if err != nil {
			return nil, fmt.Errorf("cannot read layer %s of %s: %w", d.Digest, tag, err)
		}
		out = append(out, layer{content: b, mediaType: d.MediaType, annotations: d.Annotations})
	}
	return out, nil
}

// Image is the OCI image cosign stores signatures or attestations in: one layer each, with its
// annotations, an empty config.
func Image(layers []layer) (v1.Image, error) {
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	for _, l := range layers {
		var err error
		img, err = mutate.Append(img, mutate.Addendum{Layer: static.NewLayer(l.content, l.mediaType), Annotations: l.annotations})
		if err != nil {
			return nil, err
		}
	}
	return img, nil
}

// write stores layers under tag and answers the image it wrote.
func write(tag name.Tag, layers []layer, opts []remote.Option) (v1.Image, error) {
	img, err := Image(layers)
	if err != nil {
		return nil, err
	}
	if err := remote.Write(tag, img, opts...); err != nil {
		return nil, fmt.Errorf("cannot push %s: %w", tag, err)
	}
	return img, nil
}

// store writes layers under tag, then the same layers as a referrer of subject.
func store(tag name.Tag, layers []layer, subject v1.Descriptor, artifactType string, opts []remote.Option) error {
	img, err := write(tag, layers, opts)
	if err != nil {
		return err
	}
	ref := Referrer(img, subject, artifactType)
	d, err := ref.Digest()
	if err != nil {
		return err
	}
	// by digest, no tag: the registry's referrers API lists it; go-containerregistry adds it to the
	// referrers tag of a registry without that API. The same layers give the same manifest, so
	// storing again adds no second referrer.
	if err := remote.Write(tag.Context().Digest(d.String()), ref, opts...); err != nil {
		return fmt.Errorf("%w: the registry refused the %s referrer of %s: %s", ErrReferrer, artifactType, subject.Digest, report.FirstLine(err.Error()))
	}
	return nil
}

// Referrer is img as an OCI 1.1 referrer of subject: its config media type is the artifact type
// (the type a referrers listing shows and cosign filters on) and its subject the image.
func Referrer(img v1.Image, subject v1.Descriptor, artifactType string) v1.Image {
	typed := mutate.ConfigMediaType(img, types.MediaType(artifactType))
	return mutate.Subject(typed, v1.Descriptor{MediaType: subject.MediaType, Digest: subject.Digest, Size: subject.Size}).(v1.Image)
}

// PublicKey is the public key of the signer, for callers that verify themselves.
func (s *Signer) PublicKey() (crypto.PublicKey, error) { return s.sv.PublicKey() }
