// Public face of the demo domain: the seeded synthetic product-photo catalogue behind `skulens demo`.
export {
  generateSyntheticCatalogue,
  type SyntheticCatalogue,
  type SyntheticCatalogueOptions,
} from './synthetic.js';
export { PRODUCTS, type Product, type ShapeName } from './products.js';
