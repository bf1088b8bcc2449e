// The WCO schemas as xmllint takes them: one driver schema per document kind, importing the MetaData wrapper and DEC or RES, as the reference's SOURCE.md does.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REFERENCE_DIR } from '../../../test/support/project.js';

/** Where the reference WCO schemas are (HMRC's DMS profile). */
export const WCO_DIR = join(REFERENCE_DIR, 'wco');

/** Writes `dec.xsd` and `res.xsd` drivers into `dir` and returns their paths. */
export function writeWcoDrivers(dir: string): { dec: string; res: string } {
  const paths = { dec: join(dir, 'dec.xsd'), res: join(dir, 'res.xsd') };
  for (const [name, folder, type, file] of [['dec', 'declaration', 'DEC', 'WCO_DEC_2_DMS.xsd'], ['res', 'notification', 'RES', 'WCO_RES_2_DMS.xsd']] as const) {
    writeFileSync(
      paths[name],
      `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:import namespace="urn:wco:datamodel:WCO:DocumentMetaData-DMS:2" schemaLocation="${join(WCO_DIR, folder, 'DocumentMetaData_2_DMS.xsd')}"/>
  <xs:import namespace="urn:wco:datamodel:WCO:${type}-DMS:2" schemaLocation="${join(WCO_DIR, folder, file)}"/>
</xs:schema>`,
    );
  }
  return paths;
}
