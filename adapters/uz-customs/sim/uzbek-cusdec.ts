// Uzbekistan's own CUSDECs as the simulator sends them over AS2: advance cargo information of our MIG (ZZZ01) built from a plain description, with faults a test can ask for.
import { renderEdifact, type EdifactSegment } from '../../../src/partners/kit.js';
import { MESSAGE_TYPES, type AgreedSyntax } from '../edifact-acknowledgements.js';

/** A CUSDEC to push, as a test describes it. */
export interface UzbekCusdecCommand {
  /** Interchange control reference (UNB 0020, an..14). */
  interchange: string;
  /** The declaration number (BGM 1004). */
  reference: string;
  /** 830 export from Uzbekistan (default) or 929 import into it. */
  document?: '830' | '929';
  destination?: string;
  vehicle?: string;
  items: Array<{ hsCode: string; description: string; grossMassKg: string; netMassKg: string }>;
  /** The character set (default UNOC; UNOW and UNOY in syntax version 4). */
  syntax?: AgreedSyntax;
  /** The consignor's name (default a Latin one). */
  consignor?: string;
  /** Faults: `count` writes a UNT count one too high; `grammar` leaves out the mandatory BGM. */
  corrupt?: 'count' | 'grammar';
}

/** The interchange, from UZCUSTOMS to KZCUSTOMS, in UNOC unless the command says otherwise. */
export function uzbekCusdec(c: UzbekCusdecCommand): Buffer {
  const syntax = c.syntax ?? 'UNOC';
  const segments: EdifactSegment[] = [
    ...(c.corrupt === 'grammar' ? [] : [{ tag: 'BGM', elements: [[c.document ?? '830'], [c.reference], ['9']] }]),
    { tag: 'LOC', elements: [['35'], ['UZ']] },
    { tag: 'LOC', elements: [['28'], [c.destination ?? 'KZ']] },
    { tag: 'LOC', elements: [['22'], ['UZ170500']] },
    { tag: 'DTM', elements: [['137', '202612011030', '203']] },
    ...(c.vehicle ? [{ tag: 'TDT', elements: [['11'], [''], ['3'], [''], [''], [''], [''], ['', '', '', c.vehicle, 'UZ']] }] : []),
    { tag: 'NAD', elements: [['CZ'], ['UZ301234567', '', 'ZZZ'], [''], [c.consignor ?? 'Fergana Textile JSC'], [''], [''], [''], [''], ['UZ']] },
    { tag: 'NAD', elements: [['CN'], ['KZ100140099999', '', 'ZZZ'], [''], ['Shymkent Trading LLP'], [''], [''], [''], [''], ['KZ']] },
    { tag: 'UNS', elements: [['D']] },
    ...c.items.flatMap((item, i): EdifactSegment[] => [
      { tag: 'CST', elements: [[String(i + 1)], [item.hsCode, '', 'ZZZ']] },
      // C108: components of 70 characters (4440 an..70).
      { tag: 'FTX', elements: [['AAA'], [''], [''], item.description.match(/.{1,70}/g) ?? ['']] },
      { tag: 'LOC', elements: [['27'], ['UZ']] },
      { tag: 'MEA', elements: [['WT'], ['G'], ['KGM', item.grossMassKg]] },
      { tag: 'MEA', elements: [['WT'], ['N'], ['KGM', item.netMassKg]] },
    ]),
    { tag: 'UNS', elements: [['S']] },
  ];
  const bytes = renderEdifact({
    syntax,
    syntaxVersion: syntax === 'UNOC' ? '3' : '4',
    sender: ['UZCUSTOMS', 'ZZ'],
    recipient: ['KZCUSTOMS', 'ZZ'],
    preparedAt: { date: syntax === 'UNOC' ? '261201' : '20261201', time: '1030' },
    controlReference: c.interchange,
    messages: [{ reference: '1', type: MESSAGE_TYPES.cusdec, segments }],
  });
  if (c.corrupt !== 'count') return bytes;
  const encoding = syntax === 'UNOC' ? 'latin1' : 'utf8';
  return Buffer.from(bytes.toString(encoding).replace(/UNT\+(\d+)\+/, (_, n: string) => `UNT+${Number(n) + 1}+`), encoding);
}
