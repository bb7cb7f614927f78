// ImageNet classes as generic labels: a display name from the class's first synonym and WordNet-style
// parents. Animals come from index ranges of the 1001-class list (0 = background); common objects, and
// the clothing and footwear classes a shop sees most, from a frozen table keyed by the first synonym.

/** A WordNet-style branch: `[first, last]` class indices (inclusive) and their parents, nearest first. */
const RANGES: readonly (readonly [number, number, readonly string[]])[] = Object.freeze([
  [1, 7, ['Fish', 'Animal']],
  [8, 25, ['Bird', 'Animal']],
  [26, 33, ['Amphibian', 'Animal']],
  [34, 69, ['Reptile', 'Animal']],
  [70, 80, ['Invertebrate', 'Animal']],
  [81, 101, ['Bird', 'Animal']],
  [102, 127, ['Animal']],
  [128, 147, ['Bird', 'Animal']],
  [148, 151, ['Sea Life', 'Mammal', 'Animal']],
  [152, 269, ['Dog', 'Pet', 'Canine', 'Mammal', 'Animal']],
  [270, 281, ['Canine', 'Mammal', 'Animal']],
  [282, 286, ['Cat', 'Pet', 'Mammal', 'Animal']],
  [287, 300, ['Mammal', 'Animal']],
  [301, 327, ['Insect', 'Invertebrate', 'Animal']],
  [328, 389, ['Animal']],
  [390, 398, ['Fish', 'Animal']],
  [925, 969, ['Food']],
  [970, 980, ['Outdoors', 'Nature']],
  [984, 998, ['Plant']],
]);

/** Classes 1-398 of the 1001-class list are animals. */
const LAST_ANIMAL = 398;
const CLOTHING = ['Clothing'];
const FOOTWEAR = ['Footwear', 'Shoe', 'Clothing'];
const HAT = ['Hat', 'Clothing'];
const BAG = ['Bag', 'Accessories'];
const VEHICLE = ['Vehicle', 'Transportation'];
const ELECTRONICS = ['Electronics'];
const FURNITURE = ['Furniture'];
const KITCHEN = ['Kitchenware'];
const FRUIT = ['Fruit', 'Food'];
const VEGETABLE = ['Vegetable', 'Food'];
const DRINK = ['Beverage'];

/** First synonym (lower case) -> [display name, parents]. Only classes where a plain name or parent helps. */
const OBJECTS: ReadonlyMap<string, readonly [string, readonly string[]]> = new Map<string, readonly [string, readonly string[]]>([
  ['jersey', ['T-Shirt', CLOTHING]], ['sweatshirt', ['Sweatshirt', CLOTHING]], ['cardigan', ['Cardigan', ['Sweater', ...CLOTHING]]],
  ['trench coat', ['Trench Coat', ['Coat', ...CLOTHING]]], ['fur coat', ['Fur Coat', ['Coat', ...CLOTHING]]], ['lab coat', ['Lab Coat', ['Coat', ...CLOTHING]]],
  ['jean', ['Jeans', ['Pants', ...CLOTHING]]], ['miniskirt', ['Miniskirt', ['Skirt', ...CLOTHING]]], ['overskirt', ['Overskirt', ['Skirt', ...CLOTHING]]],
  ['hoopskirt', ['Hoopskirt', ['Skirt', ...CLOTHING]]], ['gown', ['Gown', ['Dress', ...CLOTHING]]], ['abaya', ['Abaya', ['Dress', ...CLOTHING]]],
  ['kimono', ['Kimono', ['Robe', ...CLOTHING]]], ['poncho', ['Poncho', CLOTHING]], ['cloak', ['Cloak', CLOTHING]], ['stole', ['Stole', CLOTHING]],
  ['suit', ['Suit', CLOTHING]], ['military uniform', ['Military Uniform', CLOTHING]], ['pajama', ['Pajamas', CLOTHING]], ['apron', ['Apron', CLOTHING]],
  ['bikini', ['Bikini', ['Swimwear', ...CLOTHING]]], ['maillot', ['Swimsuit', ['Swimwear', ...CLOTHING]]], ['swimming trunks', ['Swimming Trunks', ['Swimwear', ...CLOTHING]]],
  ['brassiere', ['Bra', ['Underwear', ...CLOTHING]]], ['sock', ['Sock', CLOTHING]], ['mitten', ['Mitten', ['Glove', ...CLOTHING]]], ['vestment', ['Vestment', CLOTHING]],
  ['bow tie', ['Bow Tie', ['Tie', 'Accessories']]], ['windsor tie', ['Tie', ['Accessories']]], ['bolo tie', ['Bolo Tie', ['Tie', 'Accessories']]],
  ['running shoe', ['Running Shoe', FOOTWEAR]], ['sandal', ['Sandal', FOOTWEAR]], ['clog', ['Clog', FOOTWEAR]], ['loafer', ['Loafer', FOOTWEAR]],
  ['cowboy boot', ['Cowboy Boot', ['Boot', ...FOOTWEAR]]], ['cowboy hat', ['Cowboy Hat', HAT]], ['sombrero', ['Sombrero', HAT]], ['bonnet', ['Bonnet', HAT]],
  ['mortarboard', ['Mortarboard', HAT]], ['shower cap', ['Shower Cap', HAT]], ['crash helmet', ['Crash Helmet', ['Helmet']]], ['football helmet', ['Football Helmet', ['Helmet']]],
  ['backpack', ['Backpack', BAG]], ['purse', ['Purse', ['Handbag', ...BAG]]], ['wallet', ['Wallet', ['Accessories']]], ['mailbag', ['Mailbag', BAG]],
  ['plastic bag', ['Plastic Bag', ['Bag']]], ['sunglasses', ['Sunglasses', ['Accessories']]], ['sunglass', ['Sunglasses', ['Accessories']]], ['necklace', ['Necklace', ['Jewelry', 'Accessories']]],
  ['digital watch', ['Digital Watch', ['Wristwatch', 'Accessories']]], ['umbrella', ['Umbrella', ['Accessories']]],
  ['laptop', ['Laptop', ['Computer', ...ELECTRONICS]]], ['notebook', ['Laptop', ['Computer', ...ELECTRONICS]]], ['desktop computer', ['Desktop Computer', ['Computer', ...ELECTRONICS]]],
  ['cellular telephone', ['Mobile Phone', ['Phone', ...ELECTRONICS]]], ['monitor', ['Monitor', ['Screen', ...ELECTRONICS]]], ['television', ['TV', ['Screen', ...ELECTRONICS]]],
  ['computer keyboard', ['Computer Keyboard', ['Computer Hardware', ...ELECTRONICS]]], ['mouse', ['Computer Mouse', ['Computer Hardware', ...ELECTRONICS]]], ['ipod', ['iPod', ELECTRONICS]],
  ['loudspeaker', ['Speaker', ELECTRONICS]], ['reflex camera', ['Camera', ELECTRONICS]], ['polaroid camera', ['Camera', ELECTRONICS]], ['remote control', ['Remote Control', ELECTRONICS]],
  ['studio couch', ['Couch', FURNITURE]], ['rocking chair', ['Rocking Chair', ['Chair', ...FURNITURE]]], ['folding chair', ['Folding Chair', ['Chair', ...FURNITURE]]],
  ['desk', ['Desk', FURNITURE]], ['dining table', ['Dining Table', ['Table', ...FURNITURE]]], ['wardrobe', ['Wardrobe', FURNITURE]], ['bookcase', ['Bookcase', FURNITURE]],
  ['coffee mug', ['Coffee Mug', ['Cup', ...KITCHEN]]], ['cup', ['Cup', KITCHEN]], ['teapot', ['Teapot', KITCHEN]], ['frying pan', ['Frying Pan', KITCHEN]], ['wok', ['Wok', KITCHEN]],
  ['water bottle', ['Water Bottle', ['Bottle', ...DRINK]]], ['wine bottle', ['Wine Bottle', ['Bottle', ...DRINK]]], ['beer bottle', ['Beer Bottle', ['Bottle', ...DRINK]]], ['pop bottle', ['Soda Bottle', ['Bottle', ...DRINK]]],
  ['sports car', ['Sports Car', ['Car', ...VEHICLE]]], ['convertible', ['Convertible', ['Car', ...VEHICLE]]], ['cab', ['Taxi', ['Car', ...VEHICLE]]], ['limousine', ['Limousine', ['Car', ...VEHICLE]]],
  ['minivan', ['Minivan', ['Car', ...VEHICLE]]], ['jeep', ['Jeep', ['Car', ...VEHICLE]]], ['pickup', ['Pickup Truck', ['Truck', ...VEHICLE]]], ['mountain bike', ['Mountain Bike', ['Bicycle', ...VEHICLE]]],
  ['teddy', ['Teddy Bear', ['Toy']]], ['soccer ball', ['Soccer Ball', ['Ball', 'Sport']]], ['basketball', ['Basketball', ['Ball', 'Sport']]], ['tennis ball', ['Tennis Ball', ['Ball', 'Sport']]],
  ['bulletproof vest', ['Vest', CLOTHING]], ['bathing cap', ['Swimming Cap', HAT]], ['bib', ['Bib', CLOTHING]],
  ['sarong', ['Sarong', ['Skirt', ...CLOTHING]]], ['academic gown', ['Academic Gown', ['Robe', ...CLOTHING]]], ['christmas stocking', ['Stocking', ['Sock', ...CLOTHING]]],
  ['granny smith', ['Granny Smith', ['Apple', ...FRUIT]]], ['strawberry', ['Strawberry', ['Berry', ...FRUIT]]], ['orange', ['Orange', ['Citrus Fruit', ...FRUIT]]],
  ['lemon', ['Lemon', ['Citrus Fruit', ...FRUIT]]], ['fig', ['Fig', FRUIT]], ['pineapple', ['Pineapple', FRUIT]], ['banana', ['Banana', FRUIT]], ['jackfruit', ['Jackfruit', FRUIT]],
  ['custard apple', ['Custard Apple', FRUIT]], ['pomegranate', ['Pomegranate', FRUIT]], ['head cabbage', ['Cabbage', VEGETABLE]], ['broccoli', ['Broccoli', VEGETABLE]],
  ['cauliflower', ['Cauliflower', VEGETABLE]], ['zucchini', ['Zucchini', ['Squash', ...VEGETABLE]]], ['spaghetti squash', ['Spaghetti Squash', ['Squash', ...VEGETABLE]]],
  ['acorn squash', ['Acorn Squash', ['Squash', ...VEGETABLE]]], ['butternut squash', ['Butternut Squash', ['Squash', ...VEGETABLE]]], ['cucumber', ['Cucumber', VEGETABLE]],
  ['artichoke', ['Artichoke', VEGETABLE]], ['bell pepper', ['Bell Pepper', ['Pepper', ...VEGETABLE]]], ['cardoon', ['Cardoon', VEGETABLE]], ['mushroom', ['Mushroom', VEGETABLE]],
  ['corn', ['Corn', VEGETABLE]], ['carton', ['Carton', ['Package']]], ['milk can', ['Milk Can', ['Container']]], ['packet', ['Packet', ['Package']]],
  ['red wine', ['Red Wine', ['Alcohol', ...DRINK]]], ['espresso', ['Espresso', ['Coffee', ...DRINK]]], ['eggnog', ['Eggnog', DRINK]],
  ['lipstick', ['Lipstick', ['Cosmetics']]], ['perfume', ['Perfume', ['Cosmetics']]], ['lotion', ['Lotion', ['Cosmetics']]], ['face powder', ['Face Powder', ['Cosmetics']]],
]);

/** "jersey, T-shirt, tee shirt" -> "Jersey". */
function titleOf(raw: string): string {
  const first = raw.split(',')[0]!.trim();
  return first.replace(/(^|[\s-])([a-z])/g, (_, gap: string, letter: string) => gap + letter.toUpperCase());
}

/** The generic label of ImageNet class `index` (1001-class list, 0 = background) named `raw` in the labels file. */
export function imagenetLabel(index: number, raw: string): { name: string; parents: readonly string[] } {
  const key = raw.split(',')[0]!.trim().toLowerCase();
  const range = RANGES.find(([first, last]) => index >= first && index <= last);
  // Animals first: "Cardigan" (a corgi) and "jersey" (not a cow) share a first synonym with clothing.
  const known = index <= LAST_ANIMAL ? undefined : OBJECTS.get(key);
  if (known) return { name: known[0], parents: known[1] };
  return { name: titleOf(raw), parents: range ? range[2] : [] };
}
