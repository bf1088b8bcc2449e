// Parsed XML renamed by namespace: whatever prefixes and declarations a sender chose, a mapping sees the same names.
import { describe, expect, it } from 'vitest';
import { normaliseNamespaces } from '../../src/codec/xml-namespaces.js';
import { parseXml } from '../../src/codec/xml-parse.js';

const ENV = 'urn:test:envelope';
const DOC = 'urn:test:document';
const TABLE = { e: ENV, '': DOC };

const normalised = (xml: string, table: Record<string, string | string[]> = TABLE): unknown => normaliseNamespaces(parseXml(xml), table);

describe('normaliseNamespaces', () => {
  const expected = {
    'e:Envelope': {
      'e:Body': {
        Notice: { Id: 'N-1', Item: [{ '@no': '1', '#text': 'first' }, 'second'], Empty: '' },
      },
    },
  };

  it.each([
    ['the table’s own prefixes', `<e:Envelope xmlns:e="${ENV}"><e:Body><Notice xmlns="${DOC}"><Id>N-1</Id><Item no="1">first</Item><Item>second</Item><Empty/></Notice></e:Body></e:Envelope>`],
    ['other prefixes, all declared on the root', `<s:Envelope xmlns:s="${ENV}" xmlns:d="${DOC}"><s:Body><d:Notice><d:Id>N-1</d:Id><d:Item no="1">first</d:Item><d:Item>second</d:Item><d:Empty></d:Empty></d:Notice></s:Body></s:Envelope>`],
    ['a default namespace for the envelope, declarations repeated on each element', `<Envelope xmlns="${ENV}"><Body xmlns="${ENV}"><x:Notice xmlns:x="${DOC}"><x:Id xmlns:x="${DOC}">N-1</x:Id><x:Item no="1">first</x:Item><y:Item xmlns:y="${DOC}">second</y:Item><Empty xmlns="${DOC}"/></x:Notice></Body></Envelope>`],
    ['indented', `<e:Envelope xmlns:e="${ENV}">\n  <e:Body>\n    <Notice xmlns="${DOC}">\n      <Id>N-1</Id>\n      <Item no="1">first</Item>\n      <Item>second</Item>\n      <Empty/>\n    </Notice>\n  </e:Body>\n</e:Envelope>\n`],
  ])('gives the same content for %s', (_how, xml) => {
    expect(normalised(xml)).toEqual(expected);
  });

  it('reads the namespaces a prefix lists alike (the versions of one vocabulary), and no other', () => {
    const table = { e: [ENV, 'urn:test:envelope:v2'], '': DOC };
    expect(normalised(`<s:Envelope xmlns:s="urn:test:envelope:v2"><s:Body><Notice xmlns="${DOC}"><Id>N-1</Id><Item no="1">first</Item><Item>second</Item><Empty/></Notice></s:Body></s:Envelope>`, table)).toEqual(expected);
    expect(normalised(`<s:Envelope xmlns:s="urn:test:envelope:v3"><Id xmlns="${DOC}">1</Id></s:Envelope>`, table)).toEqual({ '{urn:test:envelope:v3}Envelope': { Id: '1' } });
  });

  it('keeps the Clark name {uri}local for elements of namespaces the table does not name', () => {
    expect(normalised(`<e:Envelope xmlns:e="${ENV}"><o:Other xmlns:o="urn:test:other">x</o:Other><Id xmlns="${DOC}">1</Id></e:Envelope>`)).toEqual({
      'e:Envelope': { '{urn:test:other}Other': 'x', Id: '1' },
    });
  });

  it('writes elements in no namespace bare, unless the table gives the bare name to a namespace', () => {
    const xml = `<e:Envelope xmlns:e="${ENV}"><Plain>p</Plain></e:Envelope>`;
    expect(normalised(xml, { e: ENV })).toEqual({ 'e:Envelope': { Plain: 'p' } });
    expect(normalised(xml, TABLE)).toEqual({ 'e:Envelope': { '{}Plain': 'p' } });
  });

  it('drops namespace declarations, keeps plain attributes, renames prefixed ones by the table', () => {
    const xml = `<a:Envelope xmlns:a="${ENV}" xmlns:z="urn:test:other" id="7" a:version="2" z:flag="y" xml:lang="ru"><a:Body/></a:Envelope>`;
    expect(normalised(xml)).toEqual({ 'e:Envelope': { '@id': '7', '@e:version': '2', '@{urn:test:other}flag': 'y', '@xml:lang': 'ru', 'e:Body': '' } });
  });

  it('keeps text beside child elements when it is more than indentation', () => {
    expect(normalised(`<Note xmlns="${DOC}">before<B>b</B>after</Note>`)).toEqual({ Note: { '#text': 'beforeafter', B: 'b' } });
  });

  it('keeps a repeated element a list, and a single one a value', () => {
    const doc = normalised(`<List xmlns="${DOC}"><One>1</One><Two>a</Two><Two>b</Two></List>`) as { List: Record<string, unknown> };
    expect(doc.List.One).toBe('1');
    expect(doc.List.Two).toEqual(['a', 'b']);
  });

  it('refuses a prefix the document never declares', () => {
    expect(() => normalised(`<e:Envelope xmlns:e="${ENV}"><q:Body/></e:Envelope>`)).toThrow(expect.objectContaining({ code: 'GW_ERR_XML_MALFORMED' }));
  });
});
