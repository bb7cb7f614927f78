// Public face of the demo domain: the seeded synthetic product-photo catalogue behind `skulens demo`
// and the generic-labels baseline its report shows beside the custom model.
export {
  generateSyntheticCatalogue,
  type SyntheticCatalogue,
  type SyntheticCatalogueOptions,
} from './synthetic.js';
export { PRODUCTS, type Product, type ShapeName } from './products.js';
export { genericBaseline, formatGenericBaseline, GENERIC_TOP_CLASSES, type GenericBaseline, type GenericBaselineOptions } from './generic-baseline.js';
