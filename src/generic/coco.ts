// The COCO classes of the CenterNet detector, in its output order, with Rekognition-style names and a
// small frozen parent table (a "Car" is also a "Vehicle" and "Transportation"), nearest parent first.

/** One COCO class: the label name we answer with and its parents, nearest first. */
export interface CocoClass {
  readonly name: string;
  readonly parents: readonly string[];
}

const VEHICLE = ['Vehicle', 'Transportation'];
const ANIMAL = ['Animal'];
const MAMMAL = ['Mammal', 'Animal'];
const SPORTS = ['Sport'];
const KITCHEN = ['Kitchenware'];
const FOOD = ['Food'];
const FRUIT = ['Fruit', 'Plant', 'Food'];
const VEGETABLE = ['Vegetable', 'Plant', 'Food'];
const FURNITURE = ['Furniture'];
const ELECTRONICS = ['Electronics'];
const APPLIANCE = ['Appliance'];
const ACCESSORY = ['Accessories'];

const row = (name: string, parents: readonly string[] = []): CocoClass => Object.freeze({ name, parents: Object.freeze([...parents]) });

/** Index = the detector's class id (0-79). */
export const COCO_CLASSES: readonly CocoClass[] = Object.freeze([
  row('Person'), row('Bicycle', VEHICLE), row('Car', VEHICLE), row('Motorcycle', VEHICLE), row('Airplane', ['Aircraft', ...VEHICLE]),
  row('Bus', VEHICLE), row('Train', VEHICLE), row('Truck', VEHICLE), row('Boat', ['Watercraft', ...VEHICLE]), row('Traffic Light', ['Light']),
  row('Fire Hydrant'), row('Stop Sign', ['Sign', 'Symbol']), row('Parking Meter'), row('Bench', FURNITURE), row('Bird', ANIMAL),
  row('Cat', ['Pet', ...MAMMAL]), row('Dog', ['Pet', 'Canine', ...MAMMAL]), row('Horse', MAMMAL), row('Sheep', MAMMAL), row('Cow', ['Cattle', ...MAMMAL]),
  row('Elephant', ['Wildlife', ...MAMMAL]), row('Bear', ['Wildlife', ...MAMMAL]), row('Zebra', ['Wildlife', ...MAMMAL]), row('Giraffe', ['Wildlife', ...MAMMAL]), row('Backpack', ['Bag', ...ACCESSORY]),
  row('Umbrella', ACCESSORY), row('Handbag', ['Bag', ...ACCESSORY]), row('Tie', ['Clothing', ...ACCESSORY]), row('Suitcase', ['Luggage', 'Bag']), row('Frisbee', ['Toy']),
  row('Skis', SPORTS), row('Snowboard', SPORTS), row('Sports Ball', ['Ball', ...SPORTS]), row('Kite', ['Toy']), row('Baseball Bat', SPORTS),
  row('Baseball Glove', SPORTS), row('Skateboard', SPORTS), row('Surfboard', SPORTS), row('Tennis Racket', ['Racket', ...SPORTS]), row('Bottle'),
  row('Wine Glass', ['Glass', ...KITCHEN]), row('Cup', KITCHEN), row('Fork', ['Cutlery', ...KITCHEN]), row('Knife', ['Cutlery', ...KITCHEN]), row('Spoon', ['Cutlery', ...KITCHEN]),
  row('Bowl', KITCHEN), row('Banana', FRUIT), row('Apple', FRUIT), row('Sandwich', FOOD), row('Orange', ['Citrus Fruit', ...FRUIT]),
  row('Broccoli', VEGETABLE), row('Carrot', VEGETABLE), row('Hot Dog', FOOD), row('Pizza', FOOD), row('Donut', ['Pastry', ...FOOD]),
  row('Cake', ['Dessert', ...FOOD]), row('Chair', FURNITURE), row('Couch', FURNITURE), row('Potted Plant', ['Plant']), row('Bed', FURNITURE),
  row('Dining Table', ['Table', ...FURNITURE]), row('Toilet'), row('TV', ['Screen', ...ELECTRONICS]), row('Laptop', ['Computer', ...ELECTRONICS]), row('Mouse', ['Computer Hardware', ...ELECTRONICS]),
  row('Remote Control', ELECTRONICS), row('Keyboard', ['Computer Hardware', ...ELECTRONICS]), row('Mobile Phone', ['Phone', ...ELECTRONICS]), row('Microwave', APPLIANCE), row('Oven', APPLIANCE),
  row('Toaster', APPLIANCE), row('Sink'), row('Refrigerator', APPLIANCE), row('Book', ['Publication']), row('Clock'),
  row('Vase', ['Pottery']), row('Scissors'), row('Teddy Bear', ['Toy']), row('Hair Drier', APPLIANCE), row('Toothbrush', ['Tool']),
]);
